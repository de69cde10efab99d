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
from dashboard.partials import render_partial_response
from natural.errors import UpstreamFailure
from operations import confirm
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


# The confirm-and-send steps of cancel and revoke, one or many rows.

DIALOG_TARGET = "action-dialog-body"


def aimed_at_row(request: HtmxHttpRequest, prefix: str) -> bool:
    """htmx aims the answer at a row's action cell (`cancel-cell-…`, `revoke-cell-…`)."""
    return bool(request.htmx) and (request.htmx.target or "").startswith(prefix)


def confirmation(
    request: HtmxHttpRequest, template: str, context: dict, *, status: int = 200
) -> HttpResponse:
    """The confirmation: its body alone in the dialog, the whole page without JavaScript."""
    return render_partial_response(
        request, template, context, target=DIALOG_TARGET, partial="confirm-body", status=status
    )


def posted_confirmation(request: HtmxHttpRequest, form_class, *, title: str, confirm_url: str):
    """(form, refusal): the refusal page when the post skipped the confirmation (nothing is
    sent); else the form, valid or with its errors for the confirmation to show again."""
    form = form_class(request.POST)
    if not form.is_valid() and skipped_confirmation(form):
        return form, refused_without_confirmation(
            request, form, title=title, confirm_url=confirm_url
        )
    return form, None


def ticked(request: HtmxHttpRequest, selection_form_class):
    """(selection, refusal): the rows ticked in a table, or the page that says what was wrong."""
    selection = selection_form_class(request.GET)
    if not selection.is_valid():
        page = render(request, "operations/selection_invalid.html", {"form": selection}, status=400)
        return selection, page
    return selection, None


def confirmed_selection(
    request: HtmxHttpRequest, form_class, field: str, *, title: str, confirm_url: str
):
    """(form, refusal): a confirmed post of many rows; nothing is sent without a confirmation,
    a reason and at least one row."""
    form = form_class(request.POST)
    if not form.is_valid() or not form.cleaned_data[field]:
        return form, refused_without_confirmation(
            request, form, title=title, confirm_url=confirm_url
        )
    return form, None


def after_send(
    request: HtmxHttpRequest, operation, *, row_prefix: str, outcome_template: str, context: dict
) -> HttpResponse | None:
    """From a row's action cell, the outcome in the cell; else None, and the message is queued
    for the page the caller goes back to."""
    if aimed_at_row(request, row_prefix):
        context = {**context, "operation": operation, "outcome": confirm.outcome(operation)}
        return render(request, outcome_template, context)
    confirm.tell(request, operation)
    return None
