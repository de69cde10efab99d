"""Customer search over the local index, and the index's freshness and refresh button."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from browse import presenters
from browse.forms import CustomerFilterForm
from dashboard import roles
from dashboard.htmx import HtmxHttpRequest
from natural import reads
from natural.errors import NaturalError, NaturalNotFound, UpstreamFailure
from read_model import freshness, search, sync, tasks
from read_model.models import SyncRun
from read_model.query import Freshness
from read_model.resources import RESOURCES
from saved_views.bar import ViewBar
from tables import component
from tables.catalog import DECLARED
from tables.read_model import ReadModelTable, as_of

TABLE_ID = "customers-table"
STATUS_ID = "customer-index-status"
UPDATED_EVENT = "customer-index-updated"


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def customer_search(request: HtmxHttpRequest) -> HttpResponse:
    form = CustomerFilterForm(request.GET)
    now = timezone.now()
    context = {
        "form": form,
        "searching": True,
        "freshness": freshness.status(),
        "can_refresh": request.user.has_perm(roles.REFRESH_INDEX),
        "view_bar": ViewBar(request, "customers"),
    }
    if not form.is_valid():
        # Said at the field, with what was typed kept in the box; nothing is searched.
        query = search.normalise(form.data.get("q", ""))
        context.update(query=query, search_for=query, rows=[], active_filters=[])
        return component.respond(request, DECLARED["customers"], context, status=400)
    if form.cleaned_data["sort"]:
        return sorted_customers(request, form, context, now)
    query = search.normalise(form.cleaned_data["q"])
    offset = form.cleaned_data["offset"] or 0
    page_size = form.cleaned_data["limit"]
    results = search.search(query, offset=offset, page_size=page_size)
    context.update(
        query=query,
        search_for=query,
        results=results,
        rows=[presenters.indexed_customer_row(found, now) for found in results.customers],
    )
    status = 200
    if search.is_party_id(query) and not results.customers and not results.has_previous:
        status = fall_through(query, context, now)
    shown = len(context["rows"])
    context["pager"] = component.offset_pager(
        request, offset=offset, limit=page_size, shown=shown, total=None
    )
    if not results.has_next and context["pager"].next:
        context["pager"] = component.Pager(
            context["pager"].previous, None, context["pager"].position
        )
    words = component.shown_words(shown, "customer", more=results.has_next)
    matching = f" matching “{query}”" if query else ""
    context["counts"] = f"{words}{matching}, {index_age(context['freshness'])}"
    context["active_filters"] = [("Search", query)] if query else []
    if context.get("not_found"):
        context["empty_words"] = f"No customer with id {context['not_found']}."
    elif context.get("not_indexed"):
        context["counts"] = (
            "1 customer, not in the index yet: fetched from Natural just now, "
            "the next refresh adds it"
        )
    return component.respond(request, DECLARED["customers"], context, status=status)


def sorted_customers(
    request: HtmxHttpRequest, form: CustomerFilterForm, context: dict, now
) -> HttpResponse:
    """The customers in the order of a column, searched or not: the local index's table, read
    as the invitation and delegation tables read theirs."""
    table = ReadModelTable(
        resource=SyncRun.Resource.CUSTOMERS,
        table=DECLARED["customers"],
        refresh_url=reverse("customer-index-refresh"),
        present=lambda customer: presenters.indexed_customer_row(customer, now),
        status_filter="delegation_status",
    )
    return table.respond(request, form, context)


def index_age(state: freshness.Freshness) -> str:
    """How fresh the index is, in the words every read-model table uses."""
    if not state.last_complete_sync_at:
        return "the index has not been built yet"
    done = state.last_complete_sync_at
    return as_of(Freshness(as_of=done, complete_as_of=done, running=False))


def fall_through(party_id: str, context: dict, now) -> int:
    """A party id the index does not hold yet: ask Natural for that one customer."""
    try:
        customer = reads.get_customer(party_id)
    except NaturalNotFound:
        context["not_found"] = party_id
        return 200
    except NaturalError as error:
        context["upstream_error"] = failure = UpstreamFailure.of(error)
        return failure.status
    context["rows"] = [presenters.customer_row(customer, now)]
    context["not_indexed"] = True
    return 200


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def index_status(request: HtmxHttpRequest) -> HttpResponse:
    """The freshness line and refresh progress; polled while a pass runs."""
    state = freshness.status()
    response = render_status(request, state)
    watch = WatchForm(request.GET)
    watched = watch.cleaned_data["watch"] if watch.is_valid() else None
    if watched and state.running is None:
        finished = SyncRun.objects.filter(pk=watched, state=SyncRun.State.COMPLETE)
        if finished.exists():
            response["HX-Trigger"] = UPDATED_EVENT
    return response


class WatchForm(forms.Form):
    """The pass the status line polls for (its id); anything else watches nothing."""

    watch = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


@require_POST
@permission_required(roles.REFRESH_INDEX, raise_exception=True)
def index_refresh(request: HtmxHttpRequest) -> HttpResponse:
    """Queue a full pass for a worker; the status fragment then polls its progress."""
    notice = ""
    try:
        tasks.start(started_by=request.user.get_username())
    except sync.SyncAlreadyRunning:
        notice = "The index is already being refreshed."
    if request.htmx:
        return render_status(request, freshness.status(), notice=notice)
    if notice:
        messages.info(request, notice)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("customer-search")
    return redirect(back)


def render_status(
    request: HtmxHttpRequest, state: freshness.Freshness, *, notice: str = ""
) -> TemplateResponse:
    context = {
        "freshness": state,
        "can_refresh": request.user.has_perm(roles.REFRESH_INDEX),
        "notice": notice,
    }
    return TemplateResponse(request, "browse/index_status.html", context)


@require_POST
@permission_required(roles.REFRESH_INDEX, raise_exception=True)
def quick_refresh(request: HtmxHttpRequest, resource: str) -> HttpResponse:
    """Queue a quick pass of one list (its newest pages) for a worker, then back to the page
    that asked; it says whether the pass is done or still running."""
    try:
        run = tasks.start(resource, mode=SyncRun.Mode.QUICK, started_by=request.user.get_username())
    except sync.SyncAlreadyRunning:
        messages.info(request, "That list is already being refreshed; reload in a moment.")
    else:
        if run.state == SyncRun.State.RUNNING:
            messages.info(
                request,
                f"Reading the newest {RESOURCES[resource].label} from Natural; reload in a moment.",
            )
        elif run.state == SyncRun.State.COMPLETE:
            messages.success(request, f"The newest {RESOURCES[resource].label} were read again.")
        else:
            messages.error(
                request, f"Natural did not answer the refresh ({run.error}); nothing changed."
            )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "/"
    return redirect(back)
