"""What every browse table shares: filters validated first, exactly one upstream call, the
full page or only its table partial, cursor paging, and an honest error when Natural fails."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.response import TemplateResponse

from delegations import budget, client, services
from delegations.errors import NaturalCredentialsRefused, NaturalError, NaturalRejected
from delegations.forms import TableForm


def wants_partial(request: HttpRequest, target: str) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and htmx.target == target and not htmx.history_restore_request


def render_region(
    request: HttpRequest, template: str, target: str, context: dict, *, status: int = 200
) -> TemplateResponse:
    """The page, or only the region named `target` when htmx asks for that region."""
    name = f"{template}#{target}" if wants_partial(request, target) else template
    response = TemplateResponse(request, name, {"target": target, **context}, status=status)
    error = context.get("upstream_error")
    if error:
        # Read by the global error banner when a swap is refused.
        response["X-Natural-Error"] = error["message"]
    return response


def upstream_error(error: NaturalError) -> dict:
    """What the error banner shows: the safe message, an honest status and the support id."""
    if isinstance(error, NaturalRejected):
        status = 400
        cursor = any(getattr(item, "parameter", None) == "cursor" for item in error.errors)
        message = (
            "This page link is no longer valid. Start again from the first page."
            if cursor
            else f"Natural refused this request: {error.message}"
        )
    else:
        status = error.status_code_for_page
        message = error.message
    credentials = isinstance(error, NaturalCredentialsRefused)
    return {
        "message": message,
        "status": status,
        "support_id": error.support_id,
        "retry_after": getattr(error, "retry_after", None),
        # A refused token is not fixed by retrying: the message itself names the remedy.
        "retryable": status >= 500 and not credentials,
        "credentials": credentials,
    }


def pager(form: TableForm, next_cursor: str | None, has_more: bool) -> dict:
    """Previous pops the cursor trail, Next pushes the current cursor onto it."""
    cursor = form.cleaned_data.get("cursor") or None
    trail: list[str] = form.cleaned_data.get("trail") or []
    forward = [*trail, cursor] if cursor else []
    return {
        "has_previous": cursor is not None,
        "previous_cursor": trail[-1] if trail else None,
        "previous_trail": trail[:-1] or None,
        "has_next": bool(has_more and next_cursor),
        "next_cursor": next_cursor,
        "next_trail": forward or None,
    }


class AgentNames(Mapping[str, str]):
    """Agent id -> name from the cached agents list, fetched only if a row needs it."""

    def __init__(self) -> None:
        self._names: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self._names is None:
            self._names = {agent.id: agent.name for agent in agents_or_nothing()}
        return self._names

    def __getitem__(self, key: str) -> str:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def agents_or_nothing() -> tuple:
    """The cached agents list; empty when Natural is down (the table will say so itself)."""
    try:
        return services.list_agents()
    except NaturalError:
        return ()


def agents_alongside(request: HttpRequest, target: str) -> Future | None:
    """The agents list for a full page's filter, fetched while the table is (None for a
    partial, which has no filter form)."""
    if wants_partial(request, target):
        return None
    from delegations.views.concurrent import submit

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
class Table:
    """One browse table: its page template, its region id and how to fetch and show a page."""

    template: str
    target: str
    fetch: Callable[..., object]
    present: Callable[[object], dict]

    def respond(
        self, request: HttpRequest, form: TableForm, context: dict, agents: Future | None = None
    ) -> TemplateResponse:
        context = {"form": form, **context}
        valid = form.is_valid()
        page, failure = None, None
        if valid:
            try:
                page = self.fetch(**form.query())
            except NaturalError as error:
                failure = error
        if agents is not None:
            found = secondary_result(agents, ())
            form.set_agents(found)
            context["agents_missing"] = not found
        if not valid:
            return render_region(request, self.template, self.target, context, status=400)
        if failure is not None:
            details = upstream_error(failure)
            context["upstream_error"] = details
            return render_region(
                request, self.template, self.target, context, status=details["status"]
            )
        rows = [self.present(item) for item in page.items]
        context.update(
            rows=rows,
            row_count=len(rows),
            active_filters=form.active_filters(),
            pager=pager(form, page.next_cursor, page.has_more),
        )
        return render_region(request, self.template, self.target, context)
