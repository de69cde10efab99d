"""Cancel pending invitations: one with its own key, or many with Natural's bulk revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from dashboard import roles
from dashboard.htmx import HtmxHttpRequest
from natural.errors import NaturalError
from operations import confirm, invitation_rows, perform
from operations.bulk_cancel import BulkCancelReport
from operations.confirm import key_reused
from operations.manager_forms import BulkCancelForm, ConfirmedActionForm, InvitationSelectionForm
from operations.models import Action, Operation
from operations.reconcile import CannotReconcile, reconcile
from operations.views.common import (
    action_view,
    after_send,
    aimed_at_row,
    ask_again,
    came_from,
    confirmation,
    confirmed_selection,
    posted_confirmation,
    require_id,
    safe_next,
    ticked,
    upstream_failure,
)
from tables.badges import badge

CONFIRM_TEMPLATE = "operations/cancel_confirm.html"


@action_view(roles.CANCEL, method="GET")
def cancel_confirm(request: HtmxHttpRequest, adi_id: str) -> HttpResponse:
    require_id("adi", adi_id)
    # Whatever table the row came from (Natural's list or the local read model), what is
    # offered is what Natural says now.
    try:
        invitation, searched_all = invitation_rows.read_again(adi_id)
    except NaturalError as error:
        return upstream_failure(request, error, title="Cancel invitation")
    next_url = safe_next(request, came_from(request), reverse("invitation-list"))
    status_now = (invitation.effective_status or invitation.status) if invitation else ""
    context = {
        "invitation_id": adi_id,
        "email": request.GET.get("email", "")[:254],
        "form": ConfirmedActionForm.fresh(next=next_url),
        "next_url": next_url,
        "row_target": request.GET.get("row") == "1",
        "status_now": status_now,
        "badge_now": badge(status_now),
        "gone": invitation is None and searched_all,
        "not_pending": invitation is not None and not invitation.is_pending,
    }
    return confirmation(request, CONFIRM_TEMPLATE, context)


@action_view(roles.CANCEL, method="POST")
def cancel(request: HtmxHttpRequest, adi_id: str) -> HttpResponse:
    require_id("adi", adi_id)
    form, refusal = posted_confirmation(
        request,
        ConfirmedActionForm,
        title="Cancel invitation",
        confirm_url=reverse("invitation-cancel-confirm", args=[adi_id]),
    )
    if refusal:
        return refusal
    if not form.is_valid():
        context = {
            "invitation_id": adi_id,
            "email": request.POST.get("email", "")[:254],
            "form": form,
            "next_url": safe_next(request, form.data.get("next"), reverse("invitation-list")),
            "row_target": aimed_at_row(request, "cancel-cell-"),
        }
        return ask_again(request, CONFIRM_TEMPLATE, context)
    sent = confirm.send_once(
        form.cleaned_data["key"],
        submit=lambda: perform.cancel_invitation(
            key=form.cleaned_data["key"],
            actor=request.user,
            invitation_id=adi_id,
            reason=form.cleaned_data["reason"],
        ),
        same=lambda op: (
            op.action == Action.CANCEL_INVITATION and op.target.get("invitation_id") == adi_id
        ),
    )
    if sent.reused:
        return key_reused(request, sent.operation)
    operation = sent.operation
    next_url = safe_next(request, form.cleaned_data["next"], reverse("invitation-list"))
    in_row = after_send(
        request,
        operation,
        row_prefix="cancel-cell-",
        outcome_template="operations/_cancel_outcome.html",
        context={"adi_id": adi_id},
    )
    return in_row or confirm.go(request, next_url)


# Many invitations at once


@action_view(roles.CANCEL, method="GET")
def bulk_cancel_confirm(request: HtmxHttpRequest) -> HttpResponse:
    selection, refusal = ticked(request, InvitationSelectionForm)
    if refusal:
        return refusal
    ids = selection.cleaned_data["invitation"]
    statuses = selection.statuses
    next_url = safe_next(request, came_from(request), reverse("invitation-list"))
    form = BulkCancelForm.fresh(
        invitation=ids,
        selected_status=[f"{i}:{statuses[i]}" for i in ids if i in statuses],
        next=next_url,
    )
    rows = invitation_rows.describe(ids, statuses)
    not_pending = [row for row in rows if row["status"] not in (None, "PENDING")]
    context = {"rows": rows, "not_pending": not_pending, "form": form, "next_url": next_url}
    return render(request, "operations/bulk_cancel_confirm.html", context)


@action_view(roles.CANCEL, method="POST")
def bulk_cancel(request: HtmxHttpRequest) -> HttpResponse:
    form, refusal = confirmed_selection(
        request,
        BulkCancelForm,
        "invitation",
        title="Cancel invitations",
        confirm_url=reverse("invitation-bulk-cancel-confirm"),
    )
    if refusal:
        return refusal
    sent = confirm.send_once(
        form.cleaned_data["key"],
        submit=lambda: perform.cancel_invitations(
            key=form.cleaned_data["key"],
            actor=request.user,
            invitation_ids=form.cleaned_data["invitation"],
            statuses=form.cleaned_data["selected_status"],
            reason=form.cleaned_data["reason"],
        ),
        same=lambda op: (
            op.action == Action.CANCEL_INVITATIONS
            and op.target.get("invitation_ids") == form.cleaned_data["invitation"]
        ),
    )
    if sent.reused:
        return key_reused(request, sent.operation)
    return confirm.go(request, reverse("invitation-bulk-cancel-result", args=[sent.operation.key]))


def _bulk_operation_or_404(key) -> Operation:
    return get_object_or_404(Operation, key=key, action=Action.CANCEL_INVITATIONS)


@action_view(roles.CANCEL, method="GET")
def bulk_cancel_result(request: HtmxHttpRequest, key) -> HttpResponse:
    operation = _bulk_operation_or_404(key)
    report = BulkCancelReport.of(operation)
    context = {
        "operation": operation,
        "report": report,
        "rows": invitation_rows.describe(report.selected),
    }
    return render(request, "operations/bulk_cancel_result.html", context)


@action_view(roles.CANCEL, method="POST")
def bulk_cancel_reconcile(request: HtmxHttpRequest, key) -> HttpResponse:
    """Read the selected invitations' statuses from Natural; never send the cancel again."""
    operation = _bulk_operation_or_404(key)
    try:
        reconcile(operation, actor=request.user)
    except NaturalError as error:
        return upstream_failure(request, error, title="Check statuses")
    except CannotReconcile as error:
        messages.warning(request, str(error))
    return redirect("invitation-bulk-cancel-result", key=operation.key)
