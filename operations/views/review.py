"""The review queue and review marks."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from dashboard import roles
from dashboard.htmx import HtmxHttpRequest
from natural import reads
from natural.errors import NaturalError
from operations import review_queue as review_queue_model
from operations.manager_forms import (
    BulkReviewMarkForm,
    ReviewMarkForm,
    ReviewQueueForm,
    ReviewUndoForm,
)
from operations.review_marks import UNDO_WITHIN_SECONDS, ReviewMark
from operations.views.common import action_view, require_id, safe_next, upstream_failure
from read_model import query, sync
from read_model import tasks as read_model_tasks
from read_model.models import IndexedAgentDelegation
from read_model.query import QueryError
from saved_views.bar import ViewBar
from tables import component, local
from tables.catalog import DECLARED

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
    table = DECLARED["review_queue"]
    can_revoke = request.user.has_perm(roles.REVOKE)
    context = {
        "selection": queue_selection(can_revoke),
        "form": form,
        "queue": None,
        "rows": [],
        "view_bar": ViewBar(request, table.key),
        "actions_label": ACTIONS if can_revoke else None,
        "back": quote(request.get_full_path(), safe="/"),
        "search_for": "",
    }
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        cleaned = form.cleaned_data if form.is_bound else {}
        try:
            queue = review_queue_model.read(
                form.query_filters() if form.is_bound else {},
                state=cleaned.get("review") or review_queue_model.UNREVIEWED,
                offset=cleaned.get("offset") or 0,
                limit=cleaned.get("limit") or review_queue_model.PAGE_SIZES[0],
                search_for=cleaned.get("q") or "",
                sort=cleaned.get("sort") or "",
            )
        except QueryError as error:
            form.add_error(None, str(error))
            status = 400
        else:
            context.update(queue_context(request, form, queue))
    context["freshness"] = query.freshness(review_queue_model.RESOURCE)
    return component.respond(request, table, context, status=status)


ACTIONS = mark_safe('<span class="visually-hidden">Actions</span>')


def queue_selection(can_revoke: bool) -> dict:
    """The queue's selection bar: mark or flag every ticked row at once, or revoke them (a GET
    to the bulk confirmation, which reads each from Natural again)."""
    marks = reverse("delegation-review-marks")
    buttons = [
        {"label": "Mark reviewed", "action": marks, "verdict": "reviewed", "key": "r"},
        {"label": "Flag…", "action": marks, "verdict": "flagged", "key": "f"},
    ]
    if can_revoke:
        buttons.append(
            {
                "label": "Revoke selected…",
                "action": reverse("delegation-bulk-revoke-confirm"),
                "danger": True,
                "key": "v",
            }
        )
    return {
        "form": "review-selection",
        "action": marks,
        "name": "delegation",
        "prompt": "Tick rows to mark, flag or revoke them together",
        "buttons": buttons,
    }


def queue_context(request: HtmxHttpRequest, form: ReviewQueueForm, queue) -> dict:
    """The queue's rows and the words the table shows around them."""
    search_for = form.cleaned_data.get("q") or "" if form.is_bound else ""
    filters = component.active_filters(
        form, ("agent", "permission", "limit_above", "expiring_within_days", "created_by")
    )
    if search_for:
        filters.insert(0, ("Search", search_for))
    if queue.state == review_queue_model.UNREVIEWED:
        counted = f"{queue.count:,} left to review"
    else:
        counted = f"{queue.count:,} {queue.state}"
    narrowed = " with these filters" if filters else ""
    if queue.state == review_queue_model.UNREVIEWED:
        empty = f"Nothing left to review{narrowed}."
    else:
        empty = f"No {queue.state} delegations{narrowed}."
    return {
        "queue": queue,
        "empty_words": empty,
        "search_for": search_for,
        "active_filters": filters,
        "rows": [
            {
                "id": row["delegation"].agent_delegation_id,
                "delegation": row["delegation"],
                "mark": row["mark"],
                "select": row["delegation"].agent_delegation_id,
                "select_label": (
                    f"{row['delegation'].agent_name} for {row['delegation'].customer_name}"
                ),
            }
            for row in queue.rows
        ],
        "counts": counted,
        "pager": component.offset_pager(
            request,
            offset=queue.offset,
            limit=queue.limit,
            shown=len(queue.rows),
            total=queue.count,
        ),
    }


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


def marked_words(count: int, verdict: str) -> str:
    if verdict == ReviewMark.Verdict.FLAGGED:
        return f"{count:,} flagged"
    return f"{count:,} marked reviewed"


@permission_required(roles.REVIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def review_marks(request: HtmxHttpRequest) -> HttpResponse:
    """One verdict for many delegations of the queue, in one request: a GET asks for it (the
    comment a flag needs; without JavaScript, the selection bar's buttons land here), a POST
    records one mark per delegation and offers to undo them. Marks stay in the dashboard:
    nothing is sent to Natural, so the rows are read from the local copy."""
    fallback = reverse("delegation-review")
    source = request.POST if request.method == "POST" else request.GET
    form = BulkReviewMarkForm(source if request.method == "POST" else None, initial=source)
    back = safe_next(request, source.get("next"), fallback)
    ids = BulkReviewMarkForm.base_fields["delegation"].to_python(source.getlist("delegation"))
    rows = list(
        IndexedAgentDelegation.objects.filter(agent_delegation_id__in=ids[:100], revoked=False)
    )
    context = {
        "form": form,
        "rows": rows,
        "verdict": source.get("verdict") or ReviewMark.Verdict.REVIEWED.value,
        "back": back,
    }
    in_dialog = bool(request.htmx) and not request.htmx.history_restore_request
    context["in_dialog"] = in_dialog
    if request.method == "GET" or not form.is_valid() or not rows:
        if request.method == "POST" and form.is_valid():
            form.add_error(None, "None of these delegations is active in the local copy.")
        status = 200 if request.method == "GET" else 400
        if in_dialog:
            response = render(request, "operations/_review_marks_form.html", context, status=200)
            if request.method == "POST":
                # The dialog keeps its form, the error next to the comment; the table stays.
                response["HX-Retarget"] = "#action-dialog-body"
                response["HX-Reswap"] = "innerHTML"
            return response
        return render(request, "operations/review_marks.html", context, status=status)
    verdict = form.cleaned_data["verdict"]
    with transaction.atomic():
        marks = ReviewMark.objects.bulk_create(
            ReviewMark(
                delegation_id=row.agent_delegation_id,
                customer_party_id=row.customer_party_id,
                agent_id=row.agent_id,
                verdict=verdict,
                comment=form.cleaned_data["comment"],
                actor=request.user,
            )
            for row in rows
        )
    skipped = len(ids) - len(marks)
    result = {
        "words": marked_words(len(marks), verdict),
        "skipped": f"{skipped:,} not active in the local copy, left alone" if skipped else "",
        "marks": [mark.pk for mark in marks],
        "back": back,
    }
    return review_result(request, result)


def review_result(request: HtmxHttpRequest, result: dict) -> HttpResponse:
    """What a mark or an undo answers: its words and, after a mark, its Undo. htmx puts it in
    the queue's message area and the queue reads itself again; otherwise it is a page."""
    if request.htmx:
        # Every control that marks or undoes targets the queue's message area (#review-toast).
        response = render(request, "operations/_review_result.html", result)
        response["HX-Trigger"] = QUEUE_CHANGED
        return response
    return render(request, "operations/review_result.html", result)


@action_view(roles.REVIEW, method="POST")
def review_undo(request: HtmxHttpRequest) -> HttpResponse:
    """Take back marks just made: one "undone" mark each, so the history keeps both. Only the
    actor's own marks, only while they are each delegation's newest, and only for a while."""
    form = ReviewUndoForm(request.POST)
    back = safe_next(request, request.POST.get("next"), reverse("delegation-review"))
    if not form.is_valid():
        return HttpResponse("Nothing to undo.", status=400, content_type="text/plain")
    ids = form.cleaned_data["mark"]
    recent = ReviewMark.objects.filter(
        pk__in=ids,
        actor=request.user,
        created_at__gte=timezone.now() - timedelta(seconds=UNDO_WITHIN_SECONDS),
    ).exclude(verdict=ReviewMark.Verdict.UNDONE)
    recent = list(recent)
    newest = ReviewMark.objects.latest_by_delegation(mark.delegation_id for mark in recent)
    undoable = [mark for mark in recent if newest[mark.delegation_id].pk == mark.pk]
    with transaction.atomic():
        undone = ReviewMark.objects.bulk_create(
            ReviewMark(
                delegation_id=mark.delegation_id,
                customer_party_id=mark.customer_party_id,
                agent_id=mark.agent_id,
                verdict=ReviewMark.Verdict.UNDONE,
                comment=f"Undid “{mark.get_verdict_display()}” of {mark.created_at:%H:%M:%S} UTC",
                actor=request.user,
            )
            for mark in undoable
        )
    noun = "mark" if len(undone) == 1 else "marks"
    result = {
        "words": f"{len(undone):,} {noun} undone",
        "skipped": f"{len(ids) - len(undone):,} could no longer be undone"
        if len(ids) > len(undone)
        else "",
        "marks": [],
        "back": back,
        "undo": True,
    }
    return review_result(request, result)


@action_view(roles.REVIEW, method="GET")
def review_queue_export(request: HtmxHttpRequest) -> HttpResponse:
    """Every row of the queue as it is filtered, searched and sorted, with each row's mark."""
    form = ReviewQueueForm(
        request.GET or None,
        agents=review_queue_model.agent_choices(),
        creators=review_queue_model.creator_choices(),
    )
    if form.is_bound and not form.is_valid():
        return local.invalid_filters(form)
    cleaned = form.cleaned_data if form.is_bound else {}
    try:
        queue = review_queue_model.read(
            form.query_filters() if form.is_bound else {},
            state=cleaned.get("review") or review_queue_model.UNREVIEWED,
            limit=local.MAX_EXPORT_ROWS,
            search_for=cleaned.get("q") or "",
            sort=cleaned.get("sort") or "",
        )
    except QueryError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    header = (
        "agent_delegation_id",
        "agent",
        "customer",
        "customer_party_id",
        "permissions",
        "per_transaction_cents",
        "expires_at",
        "created_at",
        "review",
        "reviewed_by",
        "comment",
    )

    def cells(row):
        delegation, mark = row["delegation"], row["mark"]
        return (
            delegation.agent_delegation_id,
            delegation.agent_name,
            delegation.customer_name,
            delegation.customer_party_id,
            " ".join(delegation.permissions or ()),
            delegation.per_transaction_cents,
            delegation.expires_at.isoformat() if delegation.expires_at else "",
            delegation.created_at.isoformat() if delegation.created_at else "",
            mark.get_verdict_display() if mark else "Not reviewed",
            mark.actor.get_username() if mark else "",
            mark.comment if mark else "",
        )

    return local.export_csv("review-queue", header, queue.rows, cells)
