"""CSV export of the current filtered view: every page, streamed, capped, spreadsheet-safe."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

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
from natural.errors import NaturalError, UpstreamFailure
from tables.spreadsheet import line_writer, neutralise

MAX_ROWS = 10_000
PAGE_SIZE = 100


def _lines(fetch: Callable, query: dict, first, columns: Iterable[Column]) -> Iterator[str]:
    writer = line_writer()
    columns = tuple(columns)
    yield writer.writerow([header for header, _ in columns])
    written = 0
    # One page past the cap, to know whether rows were left out.
    pages = reads.iter_pages(fetch, max_pages=MAX_ROWS // PAGE_SIZE + 1, first=first, **query)
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


def export(
    request: HttpRequest, form: LiveListForm, fetch: Callable, columns: tuple, name: str
) -> HttpResponse:
    if not form.is_valid():
        return HttpResponse(
            "Invalid filters: " + "; ".join(form.errors.get(f, [""])[0] for f in form.errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    query = {**form.query(), "cursor": None, "limit": PAGE_SIZE}
    try:
        first = fetch(**query)
    except NaturalError as error:
        failure = UpstreamFailure.of(error)
        return HttpResponse(
            failure.message, status=failure.status, content_type="text/plain; charset=utf-8"
        )
    response = StreamingHttpResponse(
        _lines(fetch, query, first, columns), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def invitation_export(request: HttpRequest) -> HttpResponse:
    form = InvitationFilterForm(request.GET)
    return export(request, form, reads.list_agent_invitations, INVITATION_COLUMNS, "invitations")


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
    )


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def customer_export(request: HttpRequest) -> HttpResponse:
    form = CustomerFilterForm(request.GET)
    return export(request, form, reads.list_customers, CUSTOMER_COLUMNS, "customers")


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def delegation_export(request: HttpRequest) -> HttpResponse:
    form = AgentDelegationFilterForm(request.GET)
    fetch = revocation.list_for_export()
    if form.is_valid() and form.states() == ["revoked"]:
        fetch = only_revoked(fetch)
    return export(request, form, fetch, AGENT_DELEGATION_COLUMNS, "delegations")


def only_revoked(fetch: Callable) -> Callable:
    """Natural cannot list only revoked delegations: every page is read with the active ones
    and settled, and only the rows known to be revoked are kept (unknown ones are not)."""

    def fetch_revoked(**query):
        page = fetch(**query)
        return replace(page, items=[d for d in page.items if d.revocation == revocation.REVOKED])

    return fetch_revoked
