"""Agent invitations and delegation invitations: the two tabs of /invitations/."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from browse import presenters
from browse.forms import DelegationInvitationFilterForm, InvitationFilterForm
from dashboard import roles
from natural import reads
from natural.agent_names import AgentNames
from read_model.rows import as_agent_invitation, as_delegation_invitation
from saved_views.bar import ViewBar
from tables.catalog import AGENT_INVITATION_COLUMNS, DELEGATION_INVITATION_COLUMNS
from tables.columns import headers
from tables.live import LiveTable, agents_alongside
from tables.read_model import ReadModelTable


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
    context = {
        "tab": "agent",
        "search_for": "",
        "can_cancel": can_cancel,
        "headers": headers(AGENT_INVITATION_COLUMNS, request.GET.get("sort", "")),
        # The select checkbox comes before the first column when the user can cancel.
        "view_bar": ViewBar(request, "agent_invitations", leading=int(can_cancel)),
    }
    if form.is_valid() and form.asks_read_model():
        indexed = ReadModelTable(
            resource="agent_invitations",
            template="browse/invitation_list.html",
            target="invitations-table",
            noun="invitation",
            refresh_url=reverse("agent-invitation-index-refresh"),
            present=lambda item: row(as_agent_invitation(item)),
        )
        return indexed.respond(request, form, context, agents=agents)
    table = LiveTable(
        template="browse/invitation_list.html",
        target="invitations-table",
        fetch=reads.list_agent_invitations,
        present=row,
    )
    return table.respond(request, form, context, agents=agents)


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def delegation_invitation_list(request: HttpRequest) -> HttpResponse:
    form = DelegationInvitationFilterForm(request.GET)
    row = partial(presenters.delegation_invitation_row, now=timezone.now())
    context = {
        "tab": "delegation",
        "search_for": "",
        "headers": headers(DELEGATION_INVITATION_COLUMNS, request.GET.get("sort", "")),
        "view_bar": ViewBar(request, "delegation_invitations"),
    }
    template, target = "browse/delegation_invitation_list.html", "delegation-invitations-table"
    if form.is_valid() and form.asks_read_model():
        indexed = ReadModelTable(
            resource="delegation_invitations",
            template=template,
            target=target,
            noun="delegation invitation",
            refresh_url=reverse("delegation-invitation-index-refresh"),
            present=lambda item: row(as_delegation_invitation(item)),
        )
        return indexed.respond(request, form, context)
    table = LiveTable(
        template=template, target=target, fetch=reads.list_delegation_invitations, present=row
    )
    return table.respond(request, form, context)
