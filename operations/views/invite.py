"""Invite customers to an agent in batches: form, preview, send, and the batch result page.

GET renders the form with a new key; POST "preview" validates and shows what will be sent;
POST "confirm" commits the batch and all its chunk operations, sends them, and redirects to
the result page. Any POST whose key already has a batch goes to that page: it never sends.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dashboard import roles
from dashboard.partials import render_partial_response
from natural import reads, writes
from natural.errors import NaturalError
from operations import catalog, engine, pending, results
from operations.confirm import new_key
from operations.forms import InviteCustomersForm
from operations.models import Action, Batch, State
from operations.recipients import TYPE_LABELS, count_by_type
from operations.views.common import posted_key, upstream_error_page

INVITE = catalog.declared(Action.INVITE_CUSTOMERS)
FORM_TEMPLATE = "operations/invite_customers.html"
BATCH_TEMPLATE = "operations/batch_detail.html"


@permission_required(roles.INVITE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def invite_customers(request: HttpRequest) -> HttpResponse:
    try:
        agents = reads.list_agents()
    except NaturalError as error:
        return upstream_error_page(request, FORM_TEMPLATE, error, {"step": "edit"})

    if request.method == "GET":
        return _render_form(request, InviteCustomersForm(agents=agents))

    key = posted_key(request)
    sent = Batch.objects.filter(key=key).first() if key else None
    if sent is not None:
        return _form_already_used(request, sent, agents)

    form = InviteCustomersForm(request.POST, request.FILES, agents=agents)
    if not form.is_valid() or request.POST.get("step") == "edit":
        return _render_form(request, form)
    try:
        check = pending.already_invited(form.cleaned_data["agent"], form.parsed.recipients)
    except NaturalError as error:
        return upstream_error_page(request, FORM_TEMPLATE, error, {"step": "edit", "form": form})
    if not form.cleaned_data["reinvite"]:
        form.leave_out(check.already_invited)
    if not form.to_send:
        form.add_error(
            "reinvite",
            "Every recipient already has a pending invitation from this agent. Tick this box "
            "to invite them again.",
        )
        return _render_form(request, form)

    chunk_bodies = form.chunk_bodies()
    digest = engine.digest_of_bodies(body for _, body in chunk_bodies)
    if request.POST.get("step") != "confirm" or request.POST.get("preview_digest") != digest:
        changed = request.POST.get("step") == "confirm"
        return _render_preview(request, form, chunk_bodies, digest, agents, changed, check)

    try:
        batch = _create_batch(request, form, chunk_bodies)
    except engine.KeyReused:
        return _form_already_used(request, Batch.objects.get(key=key), agents)
    engine.run_batch(batch)
    return _landing(request, batch, form, agents)


def _form_already_used(request, batch: Batch, agents) -> HttpResponse:
    """A POST of a form whose batch exists: the same confirmation again (a double click, or a
    second request racing the first) lands where the first did; anything else is told plainly
    that this form was already sent, and gets a fresh form with what it carried."""
    same_confirm = request.POST.get("step") == "confirm" and request.POST.get(
        "preview_digest"
    ) == engine.batch_digest(batch)
    if same_confirm:
        return _landing(request, batch, None, agents)
    data = request.POST.copy()
    data["key"] = str(new_key())
    fresh = InviteCustomersForm(data, agents=agents)
    fresh.is_valid()
    context = {"form": fresh, "step": "edit", "already_sent": batch}
    return TemplateResponse(request, FORM_TEMPLATE, context, status=409)


def _landing(request, batch: Batch, form, agents) -> HttpResponse:
    """Where a confirm ends, decided by every part as recorded, not by what this request sent:
    another request may be sending the other parts right now."""
    operations = list(batch.operations.order_by("chunk_index"))
    if operations and all(op.state == State.FAILED for op in operations):
        return _render_rejected(request, form, agents, operations)
    return redirect("batch-detail", key=batch.key)


def _create_batch(request, form, chunk_bodies) -> Batch:
    agent_id = form.cleaned_data["agent"]
    parsed = form.parsed
    parts = [
        engine.Part(
            method=INVITE.method,
            path=INVITE.path(agent_id),
            body=body,
            idempotent=INVITE.idempotent,
            target={
                "agent_id": agent_id,
                "recipients": [{"type": r.type, "value": r.value} for r in chunk],
            },
        )
        for chunk, body in chunk_bodies
    ]
    return engine.create_batch(
        key=form.cleaned_data["key"],
        actor=request.user,
        action=Action.INVITE_CUSTOMERS,
        target={"agent_id": agent_id},
        summary={
            "recipients": len(parsed.recipients),
            "counts": parsed.counts,
            "duplicates_removed": parsed.duplicates,
            "permissions": form.cleaned_data["permissions"],
            "per_transaction_cents": int(form.cleaned_data["per_transaction"] * 100),
            "expires_at": writes.format_instant(form.expires_at),
        },
        parts=parts,
    )


def _render_form(request, form, status=200) -> HttpResponse:
    return TemplateResponse(request, FORM_TEMPLATE, {"form": form, "step": "edit"}, status=status)


def _render_preview(request, form, chunk_bodies, digest, agents, changed, check) -> HttpResponse:
    agent_id = form.cleaned_data["agent"]
    parsed = form.parsed
    context = {
        "form": form,
        "step": "preview",
        "digest": digest,
        "changed": changed,
        "agent": next((agent for agent in agents if agent.id == agent_id), None),
        "counts": [
            (TYPE_LABELS[kind], count) for kind, count in count_by_type(form.to_send).items()
        ],
        "total": len(form.to_send),
        "already_invited": check.already_invited,
        "already_invited_complete": check.complete,
        "left_out": form.left_out,
        "duplicates": parsed.duplicates,
        "chunks": len(chunk_bodies),
        "normalized_recipients": form.normalized_recipients(),
        "recipients_to_send": "\n".join(recipient.value for recipient in form.to_send),
        "expires_at": form.expires_at,
        "first_body": chunk_bodies[0][1].decode() if len(chunk_bodies) == 1 else None,
    }
    return TemplateResponse(request, FORM_TEMPLATE, context)


def _render_rejected(request, form, agents, operations) -> HttpResponse:
    """Natural refused every chunk: back to the form with errors at their fields, new key."""
    data = request.POST.copy()
    data.pop("key", None)
    if form is not None:
        data["recipients"] = form.normalized_recipients()
    fresh = InviteCustomersForm(agents=agents)
    data["key"] = str(fresh.initial["key"])
    rejected = InviteCustomersForm(data, agents=agents)
    rejected.is_valid()
    shown: set[tuple[str | None, str]] = set()
    for operation in operations:
        for error in operation.errors:
            field, message = _place_error(error, operation)
            if (field, message) not in shown:
                shown.add((field, message))
                rejected.add_error(field, message)
    context = {"form": rejected, "step": "edit", "rejected_batch": operations[0].batch}
    return TemplateResponse(request, FORM_TEMPLATE, context)


def _place_error(error: dict, operation) -> tuple[str | None, str]:
    pointer = error.get("pointer")
    match = results.RECIPIENT_POINTER.match(pointer or "")
    if match:
        index = int(match.group(1))
        number = (operation.chunk_index or 0) * writes.CHUNK_SIZE + index + 1
        sent = operation.target.get("recipients", [])
        value = sent[index]["value"] if index < len(sent) else ""
        return "recipients", f'Line {number}: "{value}": {error.get("detail")}'
    field = results.field_for_pointer(pointer, results.INVITE_FIELDS)
    if field is None and error.get("parameter") in results.INVITE_PARAMETERS:
        field = results.INVITE_PARAMETERS[error["parameter"]]
    if field is not None:
        return field, error.get("detail") or "Refused by Natural."
    return None, results.general_message(error)


@permission_required(roles.AUDIT, raise_exception=True)
@require_GET
def batch_detail(request: HttpRequest, key) -> HttpResponse:
    batch = get_object_or_404(Batch.objects.select_related("actor"), key=key)
    operations = list(batch.operations.prefetch_related("attempts").order_by("chunk_index"))
    rows = results.batch_rows(batch, operations)
    states = [operation.state for operation in operations]
    context = {
        "batch": batch,
        "operations": operations,
        "rows": rows,
        "invited": sum(1 for row in rows if row.invitation_id),
        "email_failures": sum(1 for row in rows if row.email_failure),
        "not_invited": sum(1 for row in rows if row.outcome == "not invited"),
        "replayed": any(op.result.get("replayed") for op in operations),
        "in_progress": any(op.is_being_sent for op in operations),
        "pending": states.count(State.PENDING),
        "unknown": states.count(State.UNKNOWN),
        "sending": sum(1 for op in operations if op.is_being_sent),
        "stuck": sum(1 for op in operations if op.is_stale_sending),
        "can_invite": request.user.has_perm(roles.INVITE),
    }
    return render_partial_response(request, BATCH_TEMPLATE, context, target="batch-result")


@permission_required(roles.INVITE, raise_exception=True)
@require_POST
def batch_send_remaining(request: HttpRequest, key) -> HttpResponse:
    """Send the chunks a dead request left `pending`, each with its own key."""
    batch = get_object_or_404(Batch, key=key)
    sent = engine.run_batch(batch)
    if sent:
        messages.success(request, f"Sent {len(sent)} remaining part(s) of the batch.")
    else:
        messages.info(request, "Nothing was left to send.")
    return redirect("batch-detail", key=batch.key)
