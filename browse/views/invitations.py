"""Agent invitations and delegation invitations: the two tabs of /invitations/."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from browse import presenters
from browse.forms import DelegationInvitationFilterForm, InvitationFilterForm
from dashboard import roles
from natural import reads
from natural.agent_names import AgentNames
from read_model.rows import as_agent_invitation, as_delegation_invitation
from saved_views.bar import ViewBar
from tables.catalog import DECLARED
from tables.live import agents_alongside
from tables.read_model import live_or_read_model

ACTIONS = mark_safe('<span class="visually-hidden">Actions</span>')
# The selection bar of the agent invitations: cancel many at once.
CANCEL_SELECTED = {
    "form": "invitation-selection",
    "action": reverse_lazy("invitation-bulk-cancel-confirm"),
    "name": "invitation",
    "prompt": "Select pending rows to cancel them together",
    "button": "Cancel selected…",
}


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def invitation_list(request: HttpRequest) -> HttpResponse:
    form = InvitationFilterForm(request.GET)
    row = partial(
        presenters.invitation_row,
        now=timezone.now(),
        agents=AgentNames(),
        back=request.get_full_path(),
    )
    agents = agents_alongside(request, "invitations-table")
    # Asked once here, not per row: each check walks every authentication backend.
    can_cancel = request.user.has_perm(roles.CANCEL)
    table = DECLARED["agent_invitations"]
    context = {
        "tab": "agent",
        "search_for": "",
        "selection": CANCEL_SELECTED if can_cancel else None,
        "actions_label": ACTIONS if can_cancel else None,
        # The select checkbox comes before the first column when the user can cancel.
        "view_bar": ViewBar(request, table.key, leading=int(can_cancel)),
    }
    return live_or_read_model(
        request,
        form,
        context,
        table=table,
        live=reads.list_agent_invitations,
        present=row,
        present_indexed=lambda item: row(as_agent_invitation(item)),
        agents=agents,
    )


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def delegation_invitation_list(request: HttpRequest) -> HttpResponse:
    form = DelegationInvitationFilterForm(request.GET)
    row = partial(presenters.delegation_invitation_row, now=timezone.now())
    table = DECLARED["delegation_invitations"]
    context = {"tab": "delegation", "search_for": "", "view_bar": ViewBar(request, table.key)}
    return live_or_read_model(
        request,
        form,
        context,
        table=table,
        live=reads.list_delegation_invitations,
        present=row,
        present_indexed=lambda item: row(as_delegation_invitation(item)),
    )
