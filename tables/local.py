"""A table of our own database (the audit log, Natural requests, the security log): it counts,
searches and sorts directly, pages by offset, and exports every matching row as CSV."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from read_model.query import MAX_OFFSET
from tables import component
from tables.columns import checked_sort
from tables.spreadsheet import line_writer, neutralise

MAX_EXPORT_ROWS = 50_000
# Spreadsheets run a cell starting with these as a formula.


class LocalTableForm(forms.Form):
    """The search, sort and paging every local table shares; `sortable` maps a sort key (a
    column's) to the model field it orders by."""

    sortable: dict[str, str] = {}
    default_order: tuple[str, ...] = ("-id",)

    q = forms.CharField(label="Search", required=False, max_length=200)
    sort = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    limit = forms.TypedChoiceField(
        label=component.PAGE_SIZE_LABEL,
        choices=[(size, str(size)) for size in component.PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=component.PAGE_SIZES[0],
    )
    offset = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_OFFSET, widget=forms.HiddenInput
    )

    def clean_sort(self) -> str:
        return checked_sort(self.cleaned_data["sort"], self.sortable)

    def clean_limit(self) -> int:
        return self.cleaned_data.get("limit") or component.PAGE_SIZES[0]

    def ordered(self, rows: QuerySet) -> QuerySet:
        sort = self.cleaned_data.get("sort") or ""
        if not sort:
            return rows.order_by(*self.default_order)
        field = self.sortable[sort.removeprefix("-")]
        direction = "-" if sort.startswith("-") else ""
        return rows.order_by(f"{direction}{field}", f"{direction}id")


def page_context(
    request: HttpRequest,
    form: LocalTableForm,
    rows: QuerySet,
    *,
    noun: str,
    filters: Sequence[str] = (),
) -> dict:
    """One page of `rows` (already filtered and ordered) and the table's words around it."""
    data = form.cleaned_data
    offset, limit = data.get("offset") or 0, data["limit"]
    total = rows.count()
    page = list(rows[offset : offset + limit])
    active = component.active_filters(form, filters)
    if data.get("q"):
        active.insert(0, ("Search", data["q"]))
    return {
        "rows": page,
        "search_for": data.get("q") or "",
        "active_filters": active,
        "counts": component.count_words(total, noun) + (", filtered" if active else ""),
        "pager": component.offset_pager(
            request, offset=offset, limit=limit, shown=len(page), total=total
        ),
    }


def export_csv(
    name: str,
    header: Sequence[str],
    rows: Iterable,
    cells: Callable[[object], Iterable[object]],
) -> HttpResponse:
    """Every row of `rows`, streamed, capped at MAX_EXPORT_ROWS, spreadsheet-safe."""
    writer = line_writer()

    def lines():
        yield writer.writerow(header)
        for written, row in enumerate(rows):
            if written == MAX_EXPORT_ROWS:
                yield writer.writerow(
                    [f"# Stopped at {MAX_EXPORT_ROWS:,} rows: narrow the filters."]
                )
                return
            yield writer.writerow([neutralise(value) for value in cells(row)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def invalid_filters(form: forms.Form) -> HttpResponse:
    message = " ".join(
        f"{form.fields[name].label or name.title()}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    )
    return HttpResponse(
        "These filters cannot be used, so nothing was exported. " + message,
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def respond(
    request: HttpRequest,
    table,
    form: LocalTableForm,
    rows: Callable[[], QuerySet],
    *,
    view_bar,
    more: Callable[[dict], dict] | None = None,
) -> HttpResponse:
    """A local table's page: its filters checked before anything is read (a bad one is said at
    its field, 400), then one page of `rows()`; `more` adds what the page's rows need."""
    context = {"form": form, "view_bar": view_bar, "search_for": ""}
    if not form.is_valid():
        return component.respond(request, table, context, status=400)
    context.update(page_context(request, form, rows(), noun=table.noun, filters=form.filter_fields))
    if more is not None:
        context.update(more(context))
    return component.respond(request, table, context)
