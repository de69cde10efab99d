"""Customers: the list (with their delegation and agents) and one customer in full."""

from __future__ import annotations

from concurrent.futures import Future, wait
from functools import partial

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from browse import presenters
from browse.forms import CustomerFilterForm
from browse.views.search import customer_search
from dashboard import roles
from dashboard.errors import NotAtNatural
from natural import reads
from natural.agent_names import AgentNames
from natural.errors import NaturalError, NaturalNotFound, UpstreamFailure
from natural.fanout import submit
from natural.ids import is_id
from saved_views.bar import ViewBar
from tables.catalog import DECLARED
from tables.live import LiveTable

DETAIL_ROWS = 20


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def customer_list(request: HttpRequest) -> HttpResponse:
    if request.GET.get("q", "").strip() or request.GET.get("sort", "").strip():
        # Natural has no customer search and one order: both are answered from the local index.
        return customer_search(request)
    table = LiveTable(
        table=DECLARED["customers"],
        fetch=reads.list_customers,
        present=partial(presenters.customer_row, now=timezone.now()),
    )
    context = {"search_for": "", "view_bar": ViewBar(request, "customers")}
    return table.respond(request, CustomerFilterForm(request.GET), context)


def _email_or_none(email: str | None) -> str | None:
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email


def _section(future: Future, present) -> dict:
    """One section of the detail page: its rows, or its own error."""
    try:
        page = future.result()
    except NaturalError as error:
        return {"error": UpstreamFailure.of(error)}
    return {"rows": [present(item) for item in page.items], "has_more": page.has_more}


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def customer_detail(request: HttpRequest, pty_id: str) -> HttpResponse:
    if not is_id("pty", pty_id):
        raise Http404("Not a customer id.")
    now = timezone.now()
    delegations = submit(
        partial(reads.list_agent_delegations, delegating_party_id=pty_id, limit=DETAIL_ROWS)
    )
    try:
        customer = reads.get_customer(pty_id)
    except NaturalNotFound as error:
        wait([delegations])
        raise NotAtNatural(f"No customer {pty_id} at Natural") from error
    except NaturalError as error:
        wait([delegations])
        failure = UpstreamFailure.of(error)
        return TemplateResponse(
            request,
            "browse/customer_detail.html",
            {"customer_id": pty_id, "upstream_error": failure},
            status=failure.status,
        )
    email = _email_or_none(customer.email)
    invitations = {"rows": [], "has_more": False}
    if email:
        invitations = _section(
            submit(partial(reads.list_agent_invitations, customer_email=email, limit=DETAIL_ROWS)),
            partial(presenters.invitation_row, now=now, agents=AgentNames()),
        )
    context = {
        "customer_id": pty_id,
        "customer": presenters.customer_row(customer, now),
        "email": email,
        "invitations": invitations,
        "delegations": _section(
            delegations, partial(presenters.agent_delegation_row, now=now, agents=AgentNames())
        ),
    }
    return TemplateResponse(request, "browse/customer_detail.html", context)
