"""Revoke an agent's access to a customer: one delegation, or many selected in the table."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from dashboard import roles
from dashboard.htmx import HtmxHttpRequest
from dashboard.partials import render_partial_response
from natural import reads, revocation
from natural.errors import NaturalError, NaturalNotFound
from operations import confirm, history, perform
from operations.confirm import key_reused
from operations.engine import KeyReused
from operations.manager_forms import BulkRevokeForm, ConfirmedActionForm, DelegationSelectionForm
from operations.models import Action, Batch, Operation, State
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

CONFIRM_TEMPLATE = "operations/revoke_confirm.html"


def _detail_url(adl_id: str) -> str:
    return reverse("delegation-detail", args=[adl_id])


@action_view(roles.REVOKE, method="GET")
def revoke_confirm(request: HtmxHttpRequest, adl_id: str) -> HttpResponse:
    require_id("adl", adl_id)
    next_url = safe_next(request, came_from(request), _detail_url(adl_id))
    try:
        delegation = reads.get_agent_delegation(adl_id)
    except NaturalNotFound:
        # Listed in a local copy (the review queue) but gone from Natural by now.
        context = {"gone": adl_id, "next_url": next_url}
        return confirmation(request, CONFIRM_TEMPLATE, context, status=200 if request.htmx else 404)
    except NaturalError as error:
        return upstream_failure(request, error, title="Revoke access")
    state = _current_state(delegation)
    context = {
        "delegation": delegation,
        "changed_since_seen": changed_since(delegation, request.GET.get("seen", "")),
        **_state_flags(state),
        "form": ConfirmedActionForm.fresh(next=next_url),
        "next_url": next_url,
        "row_target": request.GET.get("row") == "1",
    }
    return confirmation(request, CONFIRM_TEMPLATE, context)


@action_view(roles.REVOKE, method="POST")
def revoke(request: HtmxHttpRequest, adl_id: str) -> HttpResponse:
    require_id("adl", adl_id)
    form, refusal = posted_confirmation(
        request,
        ConfirmedActionForm,
        title="Revoke access",
        confirm_url=reverse("delegation-revoke-confirm", args=[adl_id]),
    )
    if refusal:
        return refusal
    if not form.is_valid():
        return _ask_again(request, adl_id, form)
    key = form.cleaned_data["key"]
    existing = Operation.objects.filter(key=key).first()
    if existing is None:
        try:
            delegation = reads.get_agent_delegation(adl_id)
        except NaturalError as error:
            return upstream_failure(request, error, title="Revoke access")
        state = _current_state(delegation)
        if state != revocation.ACTIVE:
            if state == revocation.REVOKED:
                messages.info(request, "This access was already revoked; nothing was sent.")
            else:
                messages.warning(request, UNKNOWN_STATE)
            return confirm.go(
                request, safe_next(request, form.cleaned_data["next"], _detail_url(adl_id))
            )
    sent = confirm.send_once(
        key,
        submit=lambda: perform.revoke_access(
            key=key, actor=request.user, delegation=delegation, reason=form.cleaned_data["reason"]
        ),
        same=lambda op: (
            op.action == Action.REVOKE_AGENT_ACCESS and op.target.get("delegation_id") == adl_id
        ),
    )
    if sent.reused:
        return key_reused(request, sent.operation)
    return _after_revoke(request, sent.operation, form.cleaned_data["next"], adl_id)


def changed_since(delegation, seen: str) -> bool:
    """Whether Natural's delegation differs from the copy a page listed (its `updated_at`)."""
    try:
        listed = datetime.fromisoformat(seen.strip()) if seen.strip() else None
    except ValueError:
        return False
    return listed is not None and delegation.updated_at != listed


def _current_state(delegation) -> str:
    """Revoked by an operation of ours, else what Natural's documented list shows."""
    if history.revoked_by_us([delegation.id]):
        return revocation.REVOKED
    return revocation.with_state(delegation).revocation


UNKNOWN_STATE = (
    "Natural could not say whether this access is still active, so nothing was sent. "
    "Try again in a moment."
)


def _ask_again(request: HtmxHttpRequest, adl_id: str, form) -> HttpResponse:
    try:
        delegation = reads.get_agent_delegation(adl_id)
    except NaturalError as error:
        return upstream_failure(request, error, title="Revoke access")
    next_url = safe_next(request, form.data.get("next"), _detail_url(adl_id))
    context = {
        "delegation": delegation,
        **_state_flags(_current_state(delegation)),
        "form": form,
        "next_url": next_url,
        "row_target": aimed_at_row(request, "revoke-cell-"),
    }
    return ask_again(request, CONFIRM_TEMPLATE, context)


def _state_flags(state: str) -> dict:
    return {
        "already_revoked": state == revocation.REVOKED,
        "state_unknown": state == revocation.UNKNOWN,
    }


def _after_revoke(request, operation, next_candidate, adl_id) -> HttpResponse:
    in_row = after_send(
        request,
        operation,
        row_prefix="revoke-cell-",
        outcome_template="operations/_revoke_outcome.html",
        context={"adl_id": adl_id},
    )
    return in_row or confirm.go(request, safe_next(request, next_candidate, _detail_url(adl_id)))


# Many delegations at once


def _read_selected(ids: list[str]):
    """Each selected delegation read again, so the confirmation names what it will revoke.
    Returns (to revoke, left out with why)."""
    found, left_out = [], []
    revoked_here = history.revoked_by_us(ids)
    for adl_id in ids:
        try:
            delegation = reads.get_agent_delegation(adl_id)
        except NaturalNotFound:
            left_out.append((adl_id, "not found at Natural"))
            continue
        if adl_id in revoked_here:
            left_out.append((adl_id, "already revoked"))
            continue
        state = revocation.with_state(delegation).revocation
        if state == revocation.REVOKED:
            left_out.append((adl_id, "already revoked"))
        elif state == revocation.UNKNOWN:
            left_out.append((adl_id, "Natural could not say whether it is still active"))
        else:
            found.append(delegation)
    return found, left_out


@action_view(roles.REVOKE, method="GET")
def bulk_revoke_confirm(request: HtmxHttpRequest) -> HttpResponse:
    selection, refusal = ticked(request, DelegationSelectionForm)
    if refusal:
        return refusal
    ids = selection.cleaned_data["delegation"]
    try:
        delegations, left_out = _read_selected(ids)
    except NaturalError as error:
        return upstream_failure(request, error, title="Revoke access")
    next_url = safe_next(request, came_from(request), reverse("delegation-list"))
    form = BulkRevokeForm.fresh(delegation=[d.id for d in delegations], next=next_url)
    context = {
        "delegations": delegations,
        "left_out": left_out,
        "form": form,
        "next_url": next_url,
    }
    return render(request, "operations/bulk_revoke_confirm.html", context)


@action_view(roles.REVOKE, method="POST")
def bulk_revoke(request: HtmxHttpRequest) -> HttpResponse:
    form, refusal = confirmed_selection(
        request,
        BulkRevokeForm,
        "delegation",
        title="Revoke access",
        confirm_url=reverse("delegation-bulk-revoke-confirm"),
    )
    if refusal:
        return refusal
    key = form.cleaned_data["key"]
    batch = perform.existing_batch(key)
    if batch is None:
        try:
            delegations, _left_out = _read_selected(form.cleaned_data["delegation"])
        except NaturalError as error:
            return upstream_failure(request, error, title="Revoke access")
        try:
            batch = perform.prepare_bulk_revoke(
                key=key,
                actor=request.user,
                delegations=delegations,
                reason=form.cleaned_data["reason"],
                selected=form.cleaned_data["delegation"],
            )
        except KeyReused:
            batch = perform.existing_batch(key)
    first_part = batch.operations.order_by("chunk_index").first()
    if first_part is not None and not _same_selection(batch, form.cleaned_data["delegation"]):
        return key_reused(request, first_part)
    result_url = reverse("delegation-bulk-revoke-result", args=[batch.key])
    if request.htmx:
        # The result page sends the pairs one by one, so the manager watches them go.
        return HttpResponseClientRedirect(result_url)
    while perform.send_next(batch) is not None:
        pass
    return redirect(result_url)


def _same_selection(batch: Batch, posted: list[str]) -> bool:
    if batch.action != Action.REVOKE_AGENT_ACCESS:
        return False
    selected = batch.summary.get("selected_ids")
    if selected is not None:
        return sorted(selected) == sorted(posted)
    return set(batch.target.get("delegation_ids", [])) <= set(posted)


def _bulk_context(batch: Batch) -> dict:
    operations = list(batch.operations.select_related("actor").order_by("chunk_index"))
    counts = dict.fromkeys(State.values, 0)
    for operation in operations:
        counts[operation.state] += 1
    busy = counts[State.PENDING] + counts[State.SENDING]
    return {
        "batch": batch,
        "operations": operations,
        "counts": counts,
        "busy": busy,
        "done": len(operations) - busy,
        "has_pending": counts[State.PENDING] > 0,
    }


def _batch_or_404(key) -> Batch:
    return get_object_or_404(Batch, key=key, action="revoke_agent_access")


@action_view(roles.REVOKE, method="GET")
def bulk_revoke_result(request: HtmxHttpRequest, key) -> HttpResponse:
    context = _bulk_context(_batch_or_404(key))
    return render_partial_response(
        request, "operations/bulk_revoke_result.html", context, target="bulk-progress"
    )


@action_view(roles.REVOKE, method="POST")
def bulk_revoke_send(request: HtmxHttpRequest, key) -> HttpResponse:
    """Sends the next pending pair and answers with the progress so far (htmx drives the loop)."""
    batch = _batch_or_404(key)
    perform.send_next(batch)
    return render(request, "operations/bulk_revoke_result.html#bulk-progress", _bulk_context(batch))
