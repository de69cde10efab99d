"""The header's id box: any pasted Natural id goes to the page that shows it."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from browse import presenters
from browse.forms import LookupForm
from dashboard import roles
from natural import reads
from natural.errors import NaturalError, UpstreamFailure

# Natural has no "get one" for invitations: look through this many of the newest pages.
SEARCH_PAGES = 5
SEARCH_PAGE_SIZE = 100


def _list_url(name: str, **params: str) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def _find(fetch: Callable, wanted: str):
    items = reads.iter_items(fetch, max_pages=SEARCH_PAGES, limit=SEARCH_PAGE_SIZE)
    return next((item for item in items if item.id == wanted), None)


def _agent_invitation_url(invitation_id: str) -> str | None:
    invitation = _find(reads.list_agent_invitations, invitation_id)
    if invitation is None:
        return None
    if invitation.email:
        return _list_url("invitation-list", email=invitation.email)
    if invitation.customer_party_id:
        return presenters.detail_url("customer-detail", invitation.customer_party_id)
    return _list_url("invitation-list", agent=invitation.agent_id)


def _delegation_invitation_url(invitation_id: str) -> str | None:
    invitation = _find(reads.list_delegation_invitations, invitation_id)
    if invitation is None:
        return None
    if invitation.customer_party_id:
        return presenters.detail_url("customer-detail", invitation.customer_party_id)
    return _list_url("delegation-invitation-list", status=invitation.status)


def destination(object_id: str) -> str | None:
    """Where an id is shown; None when Natural does not know it (only searched kinds)."""
    prefix = object_id.split("_", 1)[0]
    if prefix == "pty":
        return presenters.detail_url("customer-detail", object_id)
    if prefix == "adl":
        return presenters.detail_url("delegation-detail", object_id)
    if prefix == "agt":
        return _list_url("delegation-list", agent=object_id)
    if prefix == "dlg":
        return _list_url("delegation-list", delegation=object_id)
    if prefix == "adi":
        return _agent_invitation_url(object_id)
    return _delegation_invitation_url(object_id)


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.GET)
    context: dict = {"lookup_form": form}
    if form.is_valid():
        object_id = form.cleaned_data["id"]
        try:
            url = destination(object_id)
        except NaturalError as error:
            context["upstream_error"] = failure = UpstreamFailure.of(error)
            return TemplateResponse(request, "browse/lookup.html", context, status=failure.status)
        if url:
            return HttpResponseRedirect(url)
        context["not_found"] = (
            f"No invitation {object_id} among the {SEARCH_PAGES * SEARCH_PAGE_SIZE:,} newest."
        )
        return TemplateResponse(request, "browse/lookup.html", context, status=404)
    return TemplateResponse(request, "browse/lookup.html", context, status=400)
