"""What every write page shares: the role gate, the posted key, the way back, upstream failures."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from dashboard.htmx import HtmxHttpRequest
from natural.errors import UpstreamFailure
from operations.manager_forms import is_id


def posted_key(request: HtmxHttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("key", ""))
    except ValueError:
        return None


def upstream_error_page(
    request: HtmxHttpRequest, template: str, error, context=None
) -> HttpResponse:
    """Natural could not answer a read the page needs: say so, with the status a proxy expects."""
    failure = UpstreamFailure.of(error)
    context = {**(context or {}), "upstream_error": failure}
    return TemplateResponse(request, template, context, status=failure.status)


def action_view(permission: str, *, method: str) -> Callable:
    """The role is checked first (403 before anything else, so a refused user learns nothing
    and nothing is sent), then the method (405)."""
    method_guard = require_POST if method == "POST" else require_GET

    def decorate(view):
        return permission_required(permission, raise_exception=True)(method_guard(view))

    return decorate


def require_id(prefix: str, value: str) -> None:
    """A malformed id is a 404 here, never a call to Natural."""
    if not is_id(prefix, value):
        raise Http404(f"Not a {prefix}_ id.")


def safe_next(request: HtmxHttpRequest, candidate: str | None, fallback: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def came_from(request: HtmxHttpRequest) -> str | None:
    """The page a confirmation was opened from: explicit `next`, else the htmx current URL."""
    candidate = request.GET.get("next") or request.POST.get("next")
    if not candidate and request.htmx:
        candidate = request.htmx.current_url_abs_path
    return candidate


def upstream_failure(request: HtmxHttpRequest, error, *, title: str) -> HttpResponse:
    failure = UpstreamFailure.of(error)
    response = render(
        request,
        "operations/upstream_failure.html",
        {"upstream_error": failure, "title": title},
        status=failure.status,
    )
    response["X-Natural-Error"] = " ".join(failure.message.split())
    return response


def refused_without_confirmation(
    request: HtmxHttpRequest, form, *, title: str, confirm_url: str
) -> HttpResponse:
    """A POST that skipped the confirmation or left out the reason: nothing is sent."""
    response = render(
        request,
        "operations/confirmation_required.html",
        {"form": form, "title": title, "confirm_url": confirm_url},
        status=400,
    )
    response["X-Natural-Error"] = (
        "Nothing was sent: confirm on the confirmation page and give a reason."
    )
    return response


def skipped_confirmation(form) -> bool:
    """No key means the confirmation page was never rendered; anything else is a bad value."""
    return "key" in form.errors


def ask_again(request: HtmxHttpRequest, template: str, context: dict) -> HttpResponse:
    """A confirmation with a bad value: the same form again, its errors next to the fields.

    From the dialog the answer replaces the dialog's body rather than the row the form was aimed
    at, so the dialog stays open; without JavaScript it is the confirmation page again.
    """
    if request.htmx:
        response = render(request, f"{template}#confirm-body", context)
        response["HX-Retarget"] = "#action-dialog-body"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, template, context, status=400)
