"""Agent invitations and delegation invitations: the two tabs of /invitations/."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard import roles
from delegations import presenters, services
from delegations.forms import DelegationInvitationFilterForm, InvitationFilterForm
from delegations.views.listing import AgentNames, Table, agents_alongside


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def invitation_list(request: HttpRequest) -> HttpResponse:
    form = InvitationFilterForm(request.GET)
    table = Table(
        template="delegations/invitation_list.html",
        target="invitations-table",
        fetch=services.list_agent_invitations,
        present=partial(
            presenters.invitation_row,
            now=timezone.now(),
            agents=AgentNames(),
            back=request.get_full_path(),
        ),
    )
    agents = agents_alongside(request, table.target)
    # Asked once here, not per row: each check walks every authentication backend.
    context = {"tab": "agent", "can_cancel": request.user.has_perm(roles.CANCEL)}
    return table.respond(request, form, context, agents=agents)


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def delegation_invitation_list(request: HttpRequest) -> HttpResponse:
    table = Table(
        template="delegations/delegation_invitation_list.html",
        target="delegation-invitations-table",
        fetch=services.list_delegation_invitations,
        present=partial(presenters.delegation_invitation_row, now=timezone.now()),
    )
    return table.respond(
        request, DelegationInvitationFilterForm(request.GET), {"tab": "delegation"}
    )
