"""Helpers shared by the operations pages."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from dashboard import roles
from delegations.errors import UpstreamFailure
from operations.models import Action

# Who may send (or resend, or reconcile) each kind of write.
ACTION_PERMISSIONS = {
    Action.INVITE_CUSTOMERS: roles.INVITE,
    Action.CREATE_DELEGATION_INVITATION: roles.INVITE,
    Action.REVOKE_AGENT_ACCESS: roles.REVOKE,
    Action.CANCEL_INVITATION: roles.CANCEL,
    Action.CANCEL_INVITATIONS: roles.CANCEL,
}


def posted_key(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("key", ""))
    except ValueError:
        return None


def upstream_error_page(request: HttpRequest, template: str, error, context=None) -> HttpResponse:
    """Natural could not answer a read the page needs: say so, with the status a proxy expects."""
    failure = UpstreamFailure.of(error)
    context = {**(context or {}), "upstream_error": failure}
    return TemplateResponse(request, template, context, status=failure.status)
