"""A table read from Natural's live list: filters validated first, exactly one upstream call,
the full page or only its table partial, cursor paging, and an honest error when Natural fails."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from django.forms import Form
from django.http import HttpRequest
from django.template.response import TemplateResponse

from dashboard.partials import wants_partial
from natural import budget, client
from natural.agent_names import agents_or_nothing
from natural.errors import NaturalError, UpstreamFailure
from natural.fanout import submit
from tables import component


def agents_alongside(request: HttpRequest, target: str) -> Future | None:
    """The agents list for a full page's filter, fetched while the table is (None for a
    partial, which has no filter form)."""
    if wants_partial(request, target):
        return None
    return submit(agents_or_nothing)


def secondary_result(future: Future, default):
    """A secondary call's answer if it comes within what is left of the page's budget; it
    never adds a wait of its own."""
    left = budget.seconds_left(client.monotonic())
    try:
        return future.result(timeout=max(0.0, left if left is not None else 0.0))
    except FutureTimeout:
        return default


@dataclass
class LiveTable:
    """One browse table: its declaration (page, region, words) and how to fetch and show a
    page."""

    table: object  # tables.catalog.TableDeclaration
    fetch: Callable[..., object]
    present: Callable[[object], dict]

    def respond(
        self, request: HttpRequest, form: Form, context: dict, agents: Future | None = None
    ) -> TemplateResponse:
        context = {"form": form, **context}
        valid = form.is_valid()
        page, error = None, None
        if valid:
            try:
                page = self.fetch(**form.query())
            except NaturalError as failed:
                error = failed
        if agents is not None:
            found = secondary_result(agents, ())
            form.set_agents(found)
            context["agents_missing"] = not found
        if not valid:
            return self.render(request, context, status=400)
        if error is not None:
            failure = UpstreamFailure.of(error)
            context["upstream_error"] = failure
            return self.render(request, context, status=failure.status)
        rows = [self.present(item) for item in page.items]
        filtered = form.active_filters()
        pages = component.cursor_pager(
            request, form, next_cursor=page.next_cursor, has_more=page.has_more, shown=len(rows)
        )
        context.update(
            rows=rows,
            row_count=len(rows),
            active_filters=filtered,
            pager=pages,
            counts=component.shown_words(len(rows), self.table.noun, more=bool(pages.next))
            + (", filtered" if filtered else ""),
        )
        return self.render(request, context)

    def render(self, request: HttpRequest, context: dict, *, status: int = 200) -> TemplateResponse:
        return component.respond(request, self.table, context, status=status)
