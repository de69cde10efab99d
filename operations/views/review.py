"""The review queue and review marks."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dashboard import roles
from dashboard.htmx import HtmxHttpRequest
from dashboard.partials import render_partial_response
from natural import reads
from natural.errors import NaturalError
from operations import review_queue as review_queue_model
from operations.manager_forms import ReviewMarkForm, ReviewQueueForm
from operations.review_marks import ReviewMark
from operations.views.common import action_view, require_id, safe_next, upstream_failure
from read_model import query, sync
from read_model import tasks as read_model_tasks
from read_model.query import QueryError
from saved_views.bar import ViewBar

TABLE_TARGET = "review-table"
# What the table listens for to read itself again once a row's mark has changed.
QUEUE_CHANGED = "review-queue-changed"


@action_view(roles.REVIEW, method="GET")
def review_queue(request: HtmxHttpRequest) -> HttpResponse:
    form = ReviewQueueForm(
        request.GET or None,
        agents=review_queue_model.agent_choices(),
        creators=review_queue_model.creator_choices(),
    )
    context = {"form": form, "queue": None, "view_bar": ViewBar(request, "review_queue")}
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        cleaned = form.cleaned_data if form.is_bound else {}
        try:
            context["queue"] = review_queue_model.read(
                form.query_filters() if form.is_bound else {},
                state=cleaned.get("review") or review_queue_model.UNREVIEWED,
                offset=cleaned.get("offset") or 0,
                limit=cleaned.get("limit") or review_queue_model.PAGE_SIZES[-1],
            )
        except QueryError as error:
            form.add_error(None, str(error))
            status = 400
    context["freshness"] = query.freshness(review_queue_model.RESOURCE)
    return render_partial_response(
        request, "operations/review_queue.html", context, target=TABLE_TARGET, status=status
    )


@action_view(roles.REVIEW, method="POST")
def review_queue_refresh(request: HtmxHttpRequest) -> HttpResponse:
    """Queue a full pass of the agent delegations for a worker (removals and revocations show
    only after a full one); the queue says a refresh is running until it completes."""
    try:
        read_model_tasks.start(review_queue_model.RESOURCE, started_by=request.user.get_username())
    except sync.SyncAlreadyRunning:
        messages.info(request, "The delegations are already being refreshed.")
    else:
        messages.info(request, "Refreshing the delegations from Natural.")
    return redirect(safe_next(request, request.POST.get("next"), reverse("delegation-review")))


@action_view(roles.REVIEW, method="POST")
def review_mark(request: HtmxHttpRequest, adl_id: str) -> HttpResponse:
    require_id("adl", adl_id)
    form = ReviewMarkForm(request.POST)
    fallback = reverse("delegation-detail", args=[adl_id])
    if not form.is_valid():
        if request.htmx and request.htmx.target == f"review-mark-{adl_id}":
            # The row's own form again, open, the error next to the comment: the queue stays.
            context = {
                "mark": ReviewMark.objects.latest_by_delegation([adl_id]).get(adl_id),
                "adl_id": adl_id,
                "mark_form": form,
            }
            return render(request, "operations/_review_mark_cell.html", context)
        back = safe_next(request, request.POST.get("next"), fallback)
        response = render(
            request,
            "operations/review_mark_invalid.html",
            {"form": form, "adl_id": adl_id, "back": back},
            status=400,
        )
        response["X-Natural-Error"] = " ".join(
            str(error) for errors in form.errors.values() for error in errors
        )
        return response
    try:
        delegation = reads.get_agent_delegation(adl_id)
    except NaturalError as error:
        return upstream_failure(request, error, title="Review delegation")
    mark = ReviewMark.objects.create(
        delegation_id=delegation.id,
        customer_party_id=delegation.delegating_party_id,
        agent_id=delegation.agent_id,
        verdict=form.cleaned_data["verdict"],
        comment=form.cleaned_data["comment"],
        actor=request.user,
    )
    if request.htmx and request.htmx.target == f"review-mark-{adl_id}":
        response = render(
            request, "operations/_review_mark_cell.html", {"mark": mark, "adl_id": adl_id}
        )
        # The queue reads itself again: a marked row leaves it and the counts move.
        response["HX-Trigger"] = QUEUE_CHANGED
        return response
    messages.success(
        request,
        f"Marked {mark.get_verdict_display().lower()}: "
        f"{delegation.agent_name} for {delegation.delegating_party_name}.",
    )
    return redirect(safe_next(request, form.cleaned_data["next"], fallback))
