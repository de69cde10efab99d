"""A browse table answered from the local read model (read_model/): search by part of a
value, sort by any column shown, counts and facet counts, each labelled with its freshness.
Asked only when a user asks one of those questions; Natural's live list stays the default."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse

from dashboard import roles
from dashboard.partials import wants_partial
from read_model import query
from tables import component
from tables.live import LiveTable, secondary_result


def as_of(freshness: query.Freshness, now: datetime | None = None) -> str:
    """“as of N minutes ago”, from the last pass that completed."""
    age = freshness.age(now)
    if age is None:
        return "the local copy has not been built yet"
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "as of less than a minute ago"
    return f"as of {minutes:,} minute{'' if minutes == 1 else 's'} ago"


def count_label(count: int, statuses: Sequence[str], noun: str) -> str:
    """“1,234 pending”, “12 pending or expired”, or “1,234 invitations”."""
    if statuses:
        return f"{count:,} {' or '.join(status.lower() for status in statuses)}"
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


@dataclass
class ReadModelTable:
    """One table read from the read model: which resource, its page and region, its rows."""

    resource: str
    table: object  # tables.catalog.TableDeclaration
    # Where an admin's Refresh button posts (a quick pass of this resource).
    refresh_url: str
    # A read-model row -> the same display dict the live table shows.
    present: Callable[[object], dict]
    # The read-model filter the status chips set, counted beside each chip.
    status_filter: str = "status"

    def respond(
        self, request: HttpRequest, form, context: dict, agents: Future | None = None
    ) -> TemplateResponse:
        if agents is not None:
            found = secondary_result(agents, ())
            form.set_agents(found)
            context["agents_missing"] = not found
        asked = form.read_model_query()
        try:
            answer = query.ask(self.resource, facets=(self.status_filter,), **asked)
        except query.QueryError as error:
            form.add_error(None, str(error))
            return self.render(request, {"form": form, **context}, status=400)
        search_for = asked["search_for"]
        rows = [self.present(row) for row in answer.rows]
        statuses = asked["filters"].get(self.status_filter) or []
        counted = count_label(answer.count, statuses, self.table.noun)
        if search_for:
            counted += f" matching “{search_for}”"
        freshness = as_of(answer.freshness)
        context.update(
            form=form,
            rows=rows,
            row_count=len(rows),
            active_filters=form.active_filters(),
            answer=answer,
            search_for=search_for,
            facets=answer.facets.get(self.status_filter, {}),
            count_label=counted,
            counts=f"{counted}, {freshness}",
            as_of=freshness,
            can_refresh_index=request.user.has_perm(roles.REFRESH_INDEX),
            refresh_url=self.refresh_url,
            pager=component.offset_pager(
                request,
                offset=answer.offset,
                limit=answer.limit,
                shown=len(rows),
                total=answer.count,
            ),
        )
        return self.render(request, context)

    def render(self, request: HttpRequest, context: dict, *, status: int = 200) -> TemplateResponse:
        context["facets_out_of_band"] = wants_partial(request, self.table.target)
        return component.respond(request, self.table, context, status=status)


# Where each table's Refresh button posts: a quick pass of its list (config/urls.py).
REFRESH_URL_NAMES = {
    "agent_invitations": "agent-invitation-index-refresh",
    "delegation_invitations": "delegation-invitation-index-refresh",
    "agent_delegations": "agent-delegation-index-refresh",
}


def live_or_read_model(
    request: HttpRequest,
    form,
    context: dict,
    *,
    table,
    live: Callable[..., object],
    present: Callable[[object], dict],
    present_indexed: Callable[[object], dict],
    agents: Future | None = None,
    status_filter: str = "status",
) -> TemplateResponse:
    """A browse table's one recipe: Natural's live list (`live`, each item shown by `present`),
    or the read model's copy (`present_indexed`) once the form asks what only the copy answers:
    a search by part of a value, a sort, counts."""
    if form.is_valid() and form.asks_read_model():
        indexed = ReadModelTable(
            resource=table.key,
            table=table,
            refresh_url=reverse(REFRESH_URL_NAMES[table.key]),
            present=present_indexed,
            status_filter=status_filter,
        )
        return indexed.respond(request, form, context, agents=agents)
    return LiveTable(table=table, fetch=live, present=present).respond(
        request, form, context, agents=agents
    )
