"""Agent delegations: the filtered list and everything about one delegation."""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
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
from operations import history
from operations.review_marks import ReviewMark
from read_model.rows import as_agent_delegation
from saved_views.bar import ViewBar
from tables.catalog import DECLARED
from tables.live import agents_alongside
from tables.read_model import live_or_read_model


def _with_marks(present, can_act: bool):
    """Rows with the selection's value, and what the region needs about them."""

    def row(item) -> dict:
        shown = present(item)
        selectable = not shown["revoked"] and not shown["unknown"]
        shown["select"] = shown["id"] if selectable and can_act else ""
        shown["select_label"] = f"{shown['agent']} for {shown['delegating']}"
        return shown

    return row


REVOKE_SELECTED = {
    "form": "delegation-selection",
    "action": reverse_lazy("delegation-bulk-revoke-confirm"),
    "name": "delegation",
    "prompt": "Select rows to revoke them together",
    "button": "Revoke selected…",
}


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def delegation_list(request: HttpRequest) -> HttpResponse:
    form = AgentDelegationFilterForm(request.GET)
    table = DECLARED["agent_delegations"]
    # Asked once here, not per row: each check walks every authentication backend.
    can_revoke = request.user.has_perm(roles.REVOKE)
    can_review = request.user.has_perm(roles.REVIEW)
    row = _with_marks(
        partial(presenters.agent_delegation_row, now=timezone.now(), agents=AgentNames()),
        can_revoke,
    )
    agents = agents_alongside(request, table.target)
    context = {
        "can_revoke": can_revoke,
        "selection": (
            {
                **REVOKE_SELECTED,
                "link": {"url": reverse("delegation-review"), "label": "Review queue"},
            }
            if can_revoke and can_review
            else REVOKE_SELECTED
            if can_revoke
            else None
        ),
        "actions_label": "Review" if can_revoke or can_review else None,
        "back": quote(request.get_full_path(), safe="/"),
        "view_bar": ViewBar(request, table.key, leading=int(can_revoke)),
        "search_for": "",
    }
    response = live_or_read_model(
        request,
        form,
        context,
        table=table,
        live=revocation.list_agent_delegations,
        present=row,
        present_indexed=lambda item: {**row(as_agent_delegation(item)), "seen": item.updated_at},
        agents=agents,
        status_filter="state",
    )
    _add_marks(response.context_data)
    return response


def _add_marks(context: dict) -> None:
    """Each row's newest review mark and our own revocations: one query each, for the rows
    the page shows; a row we revoked is no longer offered for selection."""
    rows = context.get("rows") or []
    ids = [row["id"] for row in rows]
    context["revoked"] = history.revoked_by_us(ids) if ids else set()
    context["marks"] = (
        ReviewMark.objects.latest_by_delegation(ids) if ids and context.get("actions_label") else {}
    )
    for row in rows:
        if row["id"] in context["revoked"]:
            row["select"] = ""


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
