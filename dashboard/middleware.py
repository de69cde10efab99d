"""Response middleware: caching correctness (htmx and signed-in pages) and session expiry."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import patch_cache_control, patch_vary_headers

from dashboard.htmx import HtmxHttpRequest


class HtmxVaryMiddleware:
    """Every page can answer with a full document or a partial, so caches must key on HX-Request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HtmxHttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response


class HtmxLoginRedirectMiddleware:
    """An expired session on an htmx request sends the whole browser to the login page.

    Without this, htmx would follow the 302 and swap the login form into a table.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HtmxHttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.htmx or response.status_code not in (301, 302):
            return response
        login_path = resolve_url(settings.LOGIN_URL)
        if urlsplit(response["Location"]).path != login_path:
            return response
        current = urlsplit(request.htmx.current_url or "")
        next_url = current.path + (f"?{current.query}" if current.query else "")
        redirect = HttpResponse(status=401)
        redirect["HX-Redirect"] = f"{login_path}?{urlencode({'next': next_url or '/'})}"
        patch_vary_headers(redirect, ("HX-Request",))
        return redirect


class PrivateResponsesMiddleware:
    """Whatever a signed-in user is shown (pages, partials, CSV exports, errors) holds customer
    data: no shared cache may keep it, and every use asks the server again.

    Pages are `private, no-cache` rather than `no-store`: with no-store the browser cannot go
    Back to a page that answered a POST (the invite preview), and "Back, edit, send again" is
    a path people take. Downloads are also `no-store`: a CSV has no Back to keep."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HtmxHttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            is_page = response.get("Content-Type", "").startswith("text/html")
            if is_page:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, private=True, no_cache=True, no_store=True)
        return response
