"""The review queue and review marks."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dashboard import roles
from dashboard.partials import render_partial_response
from delegations import services
from delegations.errors import NaturalError, UpstreamFailure
from operations import review
from operations.manager_forms import ReviewFilterForm, ReviewMarkForm
from operations.review_marks import ReviewMark
from operations.views.common import action_view, require_id, safe_next, upstream_failure

PAGE_SIZE = 50
TABLE_TARGET = "review-table"


@action_view(roles.REVIEW, method="GET")
def review_queue(request: HttpRequest) -> HttpResponse:
    try:
        agents = services.list_agents()
    except NaturalError as error:
        return upstream_failure(request, error, title="Review delegations")
    form = ReviewFilterForm(request.GET or None, agents=agents)
    context = {"form": form, "rows": [], "page": None}
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        status = 200
        cleaned = form.cleaned_data if form.is_bound else {}
        try:
            page = services.list_agent_delegations(
                agent_id=cleaned.get("agent") or None,
                cursor=cleaned.get("cursor") or None,
                limit=PAGE_SIZE,
            )
        except NaturalError as error:
            context["upstream_error"] = failure = UpstreamFailure.of(error)
            status = failure.status
        else:
            context.update(_queue_rows(page, review.Criteria.from_form(cleaned)))
    return render_partial_response(
        request, "actions/review_queue.html", context, target=TABLE_TARGET, status=status
    )


def _queue_rows(page, criteria: review.Criteria) -> dict:
    now = timezone.now()
    shown = [d for d in page.items if review.matches(d, criteria, now)]
    marks = ReviewMark.objects.latest_by_delegation(d.id for d in shown)
    rows = [
        {
            "delegation": d,
            "attention": review.attention(d, criteria, now),
            "mark": marks.get(d.id),
        }
        for d in shown
    ]
    return {"rows": rows, "page": page, "read_count": len(page.items), "filtered": criteria.any}


@action_view(roles.REVIEW, method="POST")
def review_mark(request: HttpRequest, adl_id: str) -> HttpResponse:
    require_id("adl", adl_id)
    form = ReviewMarkForm(request.POST)
    fallback = reverse("delegation-detail", args=[adl_id])
    if not form.is_valid():
        back = safe_next(request, request.POST.get("next"), fallback)
        response = render(
            request,
            "actions/review_mark_invalid.html",
            {"form": form, "adl_id": adl_id, "back": back},
            status=400,
        )
        response["X-Natural-Error"] = " ".join(
            str(error) for errors in form.errors.values() for error in errors
        )
        return response
    try:
        delegation = services.get_agent_delegation(adl_id)
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
        return render(request, "actions/_review_mark_cell.html", {"mark": mark, "adl_id": adl_id})
    messages.success(
        request,
        f"Marked {mark.get_verdict_display().lower()}: "
        f"{delegation.agent_name} for {delegation.delegating_party_name}.",
    )
    return redirect(safe_next(request, form.cleaned_data["next"], fallback))
