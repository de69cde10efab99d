"""The one table component: every list page declares its table (tables/catalog.py) and hands
this module its rows; the region it answers with is one template,
templates/jinja2/tables/region.html, the same header, counts, pager, export and empty state on
every page, with each table's own cells in templates/jinja2/tables/rows/<key>.html.

The region is drawn by Jinja2 (escaping everything by default): it is the page people load
most, and Django's engine walked a node tree for every cell of every row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse

from dashboard.partials import wants_partial
from tables.columns import headers

REGION = "tables/region.html"
# What every table offers as its page size, and the one word for it.
PAGE_SIZES = (20, 50, 100)
PAGE_SIZE_LABEL = "Rows per page"


def querystring(request: HttpRequest | QueryDict, **changes) -> str:
    """`{% querystring %}` for the region: the current query with `changes` (None removes a
    key, a list sets one value per item), always starting with `?`."""
    query = (request.GET if isinstance(request, HttpRequest) else request).copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        elif isinstance(value, list | tuple):
            query.setlist(key, [str(item) for item in value])
        else:
            query[key] = str(value)
    return "?" + query.urlencode()


@dataclass(frozen=True)
class Pager:
    """The one pager: "← Previous" and "Next →" with real links, and where the page sits."""

    previous: str | None
    next: str | None
    # "1–50 of 1,234", or "50 on this page" when the source cannot count.
    position: str


def offset_pager(
    request: HttpRequest, *, offset: int, limit: int, shown: int, total: int | None
) -> Pager:
    """A page cut from a source that counts (the read model, the local logs)."""
    has_next = offset + shown < total if total is not None else shown >= limit
    previous = None
    if offset > 0:
        back = max(offset - limit, 0)
        previous = querystring(request, offset=back or None)
    following = querystring(request, offset=offset + limit) if has_next else None
    if not shown:
        position = "No rows on this page" if offset else ""
    elif total is not None:
        position = f"{offset + 1:,}–{offset + shown:,} of {total:,}"
    else:
        position = f"{offset + 1:,}–{offset + shown:,}"
    return Pager(previous, following, position)


def cursor_pager(
    request: HttpRequest, form, *, next_cursor: str | None, has_more: bool, shown: int
):
    """A page of Natural's live list: Previous pops the cursor trail, Next pushes the current
    cursor onto it. Natural gives no totals, so none is made up."""
    cursor = form.cleaned_data.get("cursor") or None
    trail: list[str] = form.cleaned_data.get("trail") or []
    previous = None
    if cursor is not None:
        previous = querystring(
            request, cursor=trail[-1] if trail else None, trail=trail[:-1] or None
        )
    following = None
    if has_more and next_cursor:
        forward = [*trail, cursor] if cursor else None
        following = querystring(request, cursor=next_cursor, trail=forward)
    more = "; more follow" if following else ""
    position = f"{shown:,} on this page{more}" if shown else ""
    return Pager(previous, following, position)


def count_words(count: int, noun: str) -> str:
    """ "1,234 invitations", "1 invitation", "2 entries"."""
    if count == 1:
        return f"{count:,} {noun}"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return f"{count:,} {noun[:-1]}ies"
    return f"{count:,} {noun}s"


def shown_words(shown: int, noun: str, *, more: bool) -> str:
    """What a page of a list that cannot count shows: "50 invitations on this page"."""
    return f"{count_words(shown, noun)} on this page{'; more follow' if more else ''}"


def export_link(request: HttpRequest, url: str | None) -> str | None:
    """The CSV export of what the table shows: every page of it, without its paging."""
    if not url:
        return None
    return url + querystring(request, cursor=None, trail=None, offset=None, limit=None, page=None)


def active_filters(form, names: Iterable[str]) -> list[tuple[str, str]]:
    """(label, value) of each filter in use, for the empty state."""
    if not form.is_bound or not hasattr(form, "cleaned_data"):
        return []
    shown = []
    for name in names:
        value = form.cleaned_data.get(name)
        if value in (None, "", [], False, 0):
            continue
        field = form.fields[name]
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        else:
            choices = getattr(field, "choices", None) or ()
            value = {str(k): v for k, v in choices}.get(str(value), value)
        shown.append((str(field.label), str(value)))
    return shown


def respond(
    request: HttpRequest, table, context: Mapping, *, status: int = 200
) -> TemplateResponse:
    """The whole page, or only the table's region when htmx asks for it (never on a history
    restore). A page showing an upstream failure says so in `X-Natural-Error`, which the
    global banner reads when htmx refuses to swap an error status."""
    list_url = reverse(table.url_name)
    context = {
        "table": table,
        "target": table.target,
        "list_url": list_url,
        "export_url": export_link(
            request, table.export_url_name and reverse(table.export_url_name)
        ),
        **context,
    }
    if "headers" not in context:
        context["headers"] = headers(table.columns, request.GET.get("sort", ""))
    if wants_partial(request, table.target):
        response = TemplateResponse(request, REGION, context, status=status, using="jinja2")
    else:
        response = TemplateResponse(request, table.page_template, context, status=status)
    failure = context.get("upstream_error")
    if failure:
        response["X-Natural-Error"] = " ".join(str(failure.message).split())
    return response


def query_of(pairs: Iterable[tuple[str, str]]) -> str:
    return urlencode(list(pairs))
