"""Agent delegations: the filtered list and everything about one delegation."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from browse import presenters
from browse.forms import AgentDelegationFilterForm
from dashboard import roles
from dashboard.errors import NotAtNatural
from natural import reads, revocation
from natural.agent_names import AgentNames, agents_or_nothing
from natural.errors import NaturalError, NaturalNotFound, UpstreamFailure
from natural.ids import is_id
from read_model.rows import as_agent_delegation
from saved_views.bar import ViewBar
from tables.catalog import DELEGATION_COLUMNS
from tables.columns import headers
from tables.live import LiveTable, agents_alongside
from tables.read_model import ReadModelTable

# The table's columns in order, as its header shows them (the select checkbox before them and
# the row actions after them are never hideable).


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def delegation_list(request: HttpRequest) -> HttpResponse:
    form = AgentDelegationFilterForm(request.GET)
    row = partial(presenters.agent_delegation_row, now=timezone.now(), agents=AgentNames())
    template, target = "browse/delegation_list.html", "delegations-table"
    agents = agents_alongside(request, target)
    # Asked once here, not per row: each check walks every authentication backend.
    can_revoke = request.user.has_perm(roles.REVOKE)
    context = {
        "can_revoke": can_revoke,
        "view_bar": ViewBar(request, "agent_delegations", leading=int(can_revoke)),
        "search_for": "",
        "headers": headers(DELEGATION_COLUMNS, request.GET.get("sort", "")),
    }
    if form.is_valid() and form.asks_read_model():
        indexed = ReadModelTable(
            resource="agent_delegations",
            template=template,
            target=target,
            noun="delegation",
            refresh_url=reverse("agent-delegation-index-refresh"),
            present=lambda item: {**row(as_agent_delegation(item)), "seen": item.updated_at},
            status_filter="state",
        )
        return indexed.respond(request, form, context, agents=agents)
    table = LiveTable(
        template=template, target=target, fetch=revocation.list_agent_delegations, present=row
    )
    return table.respond(request, form, context, agents=agents)


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def delegation_detail(request: HttpRequest, adl_id: str) -> HttpResponse:
    if not is_id("adl", adl_id):
        raise Http404("Not an agent delegation id.")
    context: dict = {"delegation_id": adl_id}
    try:
        record = revocation.with_state(reads.get_agent_delegation(adl_id))
    except NaturalNotFound as error:
        raise NotAtNatural(f"No agent delegation {adl_id} at Natural") from error
    except NaturalError as error:
        context["upstream_error"] = failure = UpstreamFailure.of(error)
        return TemplateResponse(
            request, "browse/delegation_detail.html", context, status=failure.status
        )
    agents = AgentNames()
    agent = next((a for a in agents_or_nothing() if a.id == record.agent_id), None)
    context.update(
        delegation=presenters.agent_delegation_row(record, timezone.now(), agents),
        agent=agent,
        agent_limits=presenters.limit_lines(agent.limits if agent else None),
        limit_lines=presenters.limit_lines(record.limits),
    )
    return TemplateResponse(request, "browse/delegation_detail.html", context)
