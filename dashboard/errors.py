"""The product's own error pages, also when the demo runs with DEBUG on."""

from __future__ import annotations

import logging
from collections.abc import Callable

from allauth.core.exceptions import ImmediateHttpResponse, ReauthenticationRequired
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve

logger = logging.getLogger("django.request")

# Django answers these itself with a 400 or 403 page, in DEBUG too.
HANDLED_BY_DJANGO = (PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)
# allauth's middleware, earlier in MIDDLEWARE and so asked after this one, answers these: a page
# it already made, and "confirm it's you first" (a redirect to the re-authentication page).
HANDLED_BY_ALLAUTH = (ImmediateHttpResponse, ReauthenticationRequired)


class NotAtNatural(Http404):
    """An id that is well formed but that Natural does not know: the page says which one."""


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {"missing": str(exception) if isinstance(exception, NotAtNatural) else ""}
    response = TemplateResponse(request, "404.html", context, status=404)
    return response.render()


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may be in whatever a context processor touches.
    return HttpResponse(render_to_string("500.html"), status=500)


class ProductErrorPagesMiddleware:
    """With DEBUG on (the demo), answer with the product's 404 and 500 pages, not Django's.

    PRODUCT_ERROR_PAGES=false keeps Django's technical pages for local debugging.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _active(self) -> bool:
        return settings.DEBUG and getattr(settings, "PRODUCT_ERROR_PAGES", False)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._active():
            try:
                resolve(request.path_info)
            except Resolver404 as error:
                return not_found(request, error)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not self._active() or isinstance(exception, HANDLED_BY_DJANGO + HANDLED_BY_ALLAUTH):
            return None
        if isinstance(exception, Http404):
            return not_found(request, exception)
        logger.error("Internal Server Error: %s", request.path, exc_info=exception)
        return server_error(request)


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale form (CSRF token expired in another tab): ask for a reload, never a blank swap."""
    return TemplateResponse(request, "403_csrf.html", {"reason": reason}, status=403)
