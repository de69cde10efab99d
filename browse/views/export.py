"""CSV export of what a list shows: every page, streamed, capped, spreadsheet-safe.

A list reads Natural's live list until its form asks what only the local copy answers (a
search by part of a value, a sort, counts, revoked delegations alone); its export then reads
the same copy with the same question, so the file holds the rows the list shows, in its order,
with the columns of Natural's records either way."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from browse.exports import (
    AGENT_DELEGATION_COLUMNS,
    CUSTOMER_COLUMNS,
    DELEGATION_INVITATION_COLUMNS,
    INVITATION_COLUMNS,
    Column,
)
from browse.forms import (
    AgentDelegationFilterForm,
    CustomerFilterForm,
    DelegationInvitationFilterForm,
    InvitationFilterForm,
    LiveListForm,
)
from dashboard import roles
from natural import reads, revocation
from natural.errors import NaturalError, NaturalNotFound, UpstreamFailure
from read_model import query, search
from read_model.models import IndexedCustomer
from read_model.rows import (
    as_agent_delegation,
    as_agent_invitation,
    as_customer,
    as_delegation_invitation,
)
from tables.spreadsheet import line_writer, neutralise

MAX_ROWS = 10_000
PAGE_SIZE = 100
# The local copy is read in its largest pages.
COPY_PAGE_SIZE = query.MAX_PAGE_SIZE


@dataclass(frozen=True)
class LocalCopy:
    """A list's rows in the read model, and each one as the record Natural's list gives."""

    resource: str
    record: Callable[[object], object]


def _lines(fetch: Callable, asked: dict, first, columns: Iterable[Column]) -> Iterator[str]:
    writer = line_writer()
    columns = tuple(columns)
    yield writer.writerow([header for header, _ in columns])
    written = 0
    # One page past the cap, to know whether rows were left out.
    pages = reads.iter_pages(fetch, max_pages=MAX_ROWS // PAGE_SIZE + 1, first=first, **asked)
    try:
        for page in pages:
            for item in page.items:
                if written == MAX_ROWS:
                    yield writer.writerow(
                        [f"# Stopped at {MAX_ROWS:,} rows: narrow the filters to export the rest."]
                    )
                    return
                yield writer.writerow([neutralise(value(item)) for _, value in columns])
                written += 1
    except NaturalError as error:
        yield writer.writerow([f"# Export incomplete after {written:,} rows: {error.message}"])


def _copy_lines(
    copy: LocalCopy, question: dict, first: query.Answer, columns: Iterable[Column]
) -> Iterator[str]:
    writer = line_writer()
    columns = tuple(columns)
    yield writer.writerow([header for header, _ in columns])
    answer, written = first, 0
    while True:
        for row in answer.rows:
            if written == MAX_ROWS:
                yield writer.writerow(
                    [f"# Stopped at {MAX_ROWS:,} rows: narrow the filters to export the rest."]
                )
                return
            item = copy.record(row)
            yield writer.writerow([neutralise(value(item)) for _, value in columns])
            written += 1
        if not answer.has_next:
            return
        answer = query.ask(
            copy.resource, facets=(), **{**question, "offset": answer.offset + answer.limit}
        )


def export(
    request: HttpRequest,
    form: LiveListForm,
    fetch: Callable,
    columns: tuple,
    name: str,
    copy: LocalCopy | None = None,
) -> HttpResponse:
    if not form.is_valid():
        return HttpResponse(
            "Invalid filters: " + "; ".join(form.errors.get(f, [""])[0] for f in form.errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    if copy is not None and form.asks_read_model():
        return copy_export(form, copy, columns, name)
    asked = {**form.query(), "cursor": None, "limit": PAGE_SIZE}
    try:
        first = fetch(**asked)
    except NaturalError as error:
        return upstream_failure(error)
    return csv_response(_lines(fetch, asked, first, columns), name)


def copy_export(form, copy: LocalCopy, columns: tuple, name: str) -> HttpResponse:
    """Every row the list shows from the local copy, its pages read as the list reads one."""
    question = {**form.read_model_query(), "offset": 0, "limit": COPY_PAGE_SIZE}
    try:
        first = query.ask(copy.resource, facets=(), **question)
    except query.QueryError as error:
        return HttpResponse(
            f"These filters cannot be used, so nothing was exported. {error}",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return csv_response(_copy_lines(copy, question, first, columns), name)


def upstream_failure(error: NaturalError) -> HttpResponse:
    failure = UpstreamFailure.of(error)
    return HttpResponse(
        failure.message, status=failure.status, content_type="text/plain; charset=utf-8"
    )


def csv_response(lines: Iterator[str], name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def invitation_export(request: HttpRequest) -> HttpResponse:
    form = InvitationFilterForm(request.GET)
    copy = LocalCopy("agent_invitations", as_agent_invitation)
    return export(
        request, form, reads.list_agent_invitations, INVITATION_COLUMNS, "invitations", copy
    )


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def delegation_invitation_export(request: HttpRequest) -> HttpResponse:
    form = DelegationInvitationFilterForm(request.GET)
    return export(
        request,
        form,
        reads.list_delegation_invitations,
        DELEGATION_INVITATION_COLUMNS,
        "delegation-invitations",
        LocalCopy("delegation_invitations", as_delegation_invitation),
    )


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def customer_export(request: HttpRequest) -> HttpResponse:
    form = CustomerFilterForm(request.GET)
    if form.is_valid() and _an_id_not_in_the_copy(form):
        return one_customer_export(form.cleaned_data["q"])
    copy = LocalCopy("customers", as_customer)
    return export(request, form, reads.list_customers, CUSTOMER_COLUMNS, "customers", copy)


def _an_id_not_in_the_copy(form: CustomerFilterForm) -> bool:
    """The customer search asks Natural for a whole party id the index does not hold yet."""
    text, sort = form.cleaned_data["q"], form.cleaned_data["sort"]
    if sort or not search.is_party_id(text):
        return False
    return not IndexedCustomer.objects.filter(party_id=text).exists()


def one_customer_export(party_id: str) -> HttpResponse:
    try:
        found = (reads.get_customer(party_id),)
    except NaturalNotFound:
        found = ()
    except NaturalError as error:
        return upstream_failure(error)
    writer = line_writer()
    lines = [writer.writerow([header for header, _ in CUSTOMER_COLUMNS])]
    lines += [
        writer.writerow([neutralise(value(c)) for _, value in CUSTOMER_COLUMNS]) for c in found
    ]
    return csv_response(iter(lines), "customers")


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def delegation_export(request: HttpRequest) -> HttpResponse:
    form = AgentDelegationFilterForm(request.GET)
    copy = LocalCopy("agent_delegations", as_agent_delegation)
    return export(
        request, form, revocation.list_for_export(), AGENT_DELEGATION_COLUMNS, "delegations", copy
    )
