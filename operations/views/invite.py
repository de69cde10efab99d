"""Invite customers to an agent in batches: form, preview, send, and the batch page.

GET renders the form with a new key; POST "preview" reads the list (typed, or a CSV of up to
INVITE_MAX_RECIPIENTS lines, streamed), keeps it as the form's draft and summarises what will
be sent; POST "confirm" commits the batch and all its parts, hands them to the workers
(operations/batches.py) and redirects to the batch page, which shows them being sent. Any POST
whose key already has a batch goes to that page: it never sends.
"""

from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dashboard import roles
from dashboard.partials import render_partial_response, wants_partial
from natural import reads, writes
from natural.errors import NaturalError
from operations import batches, engine, pending, results
from operations.confirm import new_key
from operations.forms import InviteCustomersForm
from operations.models import Action, Batch, BatchDraft, BatchState, State
from operations.recipients import TYPE_LABELS, count_by_type
from operations.views.common import posted_key, upstream_error_page

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

    draft = BatchDraft.objects.filter(key=key, actor=request.user).first() if key else None
    form = InviteCustomersForm(request.POST, request.FILES, agents=agents, draft=draft)
    if not form.is_valid() or request.POST.get("step") == "edit":
        return _render_form(request, form)
    _keep_draft(request, form)
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
    batches.start(batch)
    return _landing(request, batch, form, agents)


def _keep_draft(request, form) -> None:
    """The list just read, kept under the form's key so the confirm needs no copy of it."""
    if form.from_draft:
        return
    BatchDraft.objects.filter(created_at__lt=timezone.now() - DRAFTS_KEPT).delete()
    BatchDraft.objects.update_or_create(
        key=form.cleaned_data["key"], actor=request.user, defaults=form.draft_fields()
    )


DRAFTS_KEPT = timedelta(days=1)
PREVIEW_ROWS = 10


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
        parts=batches.invite_parts(agent_id, chunk_bodies),
    )


def _render_form(request, form, status=200) -> HttpResponse:
    context = {"form": form, "step": "edit", "kept": _kept_list(form)}
    return TemplateResponse(request, FORM_TEMPLATE, context, status=status)


def _kept_list(form) -> dict | None:
    """A list read by an earlier preview that the edit page does not show again (a file)."""
    draft = form.draft
    if draft is None or not draft.recipients or form.data.get("recipients", "").strip():
        return None
    return {"file_name": draft.file_name, "count": draft.recipients.count("\n") + 1}


def _render_preview(request, form, chunk_bodies, digest, agents, changed, check) -> HttpResponse:
    agent_id = form.cleaned_data["agent"]
    parsed = form.parsed
    to_send = form.to_send
    context = {
        "form": form,
        "step": "preview",
        "digest": digest,
        "changed": changed,
        "agent": next((agent for agent in agents if agent.id == agent_id), None),
        "counts": [(TYPE_LABELS[kind], count) for kind, count in count_by_type(to_send).items()],
        "total": len(to_send),
        "already_invited": check.already_invited[:PREVIEW_ROWS],
        "already_invited_count": len(check.already_invited),
        "check": check,
        "left_out": form.left_out,
        "duplicates": parsed.duplicates,
        "refused": form.refused[:PREVIEW_ROWS],
        "refused_count": len(form.refused),
        "file_name": form.file_name,
        "chunks": len(chunk_bodies),
        "inline": form.inline,
        "normalized_recipients": form.normalized_recipients() if form.inline else "",
        "first_rows": to_send[:PREVIEW_ROWS],
        "expires_at": form.expires_at,
        "first_body": chunk_bodies[0][1].decode() if chunk_bodies else None,
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
    progress = batches.progress(batch)
    pages = Paginator(
        batch.operations.select_related("batch").order_by("chunk_index"), PARTS_PER_PAGE
    )
    page = pages.get_page(request.GET.get("page"))
    operations = list(page.object_list.prefetch_related("attempts"))
    rows = results.batch_rows(batch, operations)
    # Parts on the wire, or waiting their turn on the workers while nothing is stuck.
    sending = progress.sending_parts > 0 or (
        batch.state == BatchState.SENDING and progress.pending_parts and not progress.stuck_parts
    )
    context = {
        "batch": batch,
        "progress": progress,
        "page": page,
        "operations": operations,
        "rows": rows,
        "email_failures": sum(1 for row in rows if row.email_failure),
        "replayed": any(op.result.get("replayed") for op in operations),
        "in_progress": bool(sending),
        "pending": progress.pending_parts,
        "unknown": progress.unknown_parts,
        "sending": progress.sending_parts,
        "stuck": progress.stuck_parts,
        "can_invite": request.user.has_perm(roles.INVITE),
        "can_pause": batch.state == BatchState.SENDING and progress.remaining > 0,
        "can_resume": batch.state == BatchState.PAUSED,
        "can_cancel": batch.state in (BatchState.SENDING, BatchState.PAUSED)
        and progress.pending_parts > 0,
    }
    if wants_partial(request, PROGRESS_TARGET):
        if context["in_progress"]:
            return render_partial_response(request, BATCH_TEMPLATE, context, target=PROGRESS_TARGET)
        # The batch stopped: the parts and recipients it lists are read once more, in place of
        # the whole result, and nothing in that reads itself again.
        response = TemplateResponse(request, f"{BATCH_TEMPLATE}#{RESULT_TARGET}", context)
        response["HX-Retarget"] = f"#{RESULT_TARGET}"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render_partial_response(request, BATCH_TEMPLATE, context, target=RESULT_TARGET)


PARTS_PER_PAGE = 20
# What reads itself again while a batch is sent (its progress and its parts), and the whole result.
PROGRESS_TARGET = "batch-progress"
RESULT_TARGET = "batch-result"


@permission_required(roles.INVITE, raise_exception=True)
@require_POST
def batch_send_remaining(request: HttpRequest, key) -> HttpResponse:
    """Give the workers the parts left `pending` (a batch that lost its senders)."""
    batch = get_object_or_404(Batch, key=key)
    if batch.operations.filter(state=State.PENDING).exists():
        batches.send_again(batch)
        messages.success(request, "The remaining parts are being sent.")
    else:
        messages.info(request, "Nothing was left to send.")
    return redirect("batch-detail", key=batch.key)


@permission_required(roles.INVITE, raise_exception=True)
@require_POST
def batch_control(request: HttpRequest, key, action: str) -> HttpResponse:
    """Pause, resume, or cancel what has not been sent yet."""
    batch = get_object_or_404(Batch, key=key)
    if action == "pause":
        done = batches.pause(batch)
        said = "Paused: the parts on the wire finish, no other part is sent until you resume."
    elif action == "resume":
        done = batches.resume(batch)
        said = "Resumed: the remaining parts are being sent."
    elif action == "cancel":
        canceled = batches.cancel(batch)
        done = True
        said = f"Canceled {canceled:,} part{'s' if canceled != 1 else ''} not sent yet."
    else:
        raise Http404("No such action.")
    if done:
        messages.success(request, said)
    else:
        messages.info(request, "The batch is no longer in a state that allows this.")
    return redirect("batch-detail", key=batch.key)


@permission_required(roles.INVITE, raise_exception=True)
@require_GET
def refused_lines(request: HttpRequest, key) -> HttpResponse:
    """The lines a preview refused, as CSV: line, reason."""
    draft = get_object_or_404(BatchDraft, key=key, actor=request.user)

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def lines():
        yield writer.writerow(["line", "reason"])
        for _source, line, reason in draft.refused:
            yield writer.writerow([line, _neutral(reason)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = (draft.file_name or "recipients").rsplit(".", 1)[0][:60]
    response["Content-Disposition"] = f'attachment; filename="{_safe(name)}-refused-lines.csv"'
    return response


def _neutral(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name) or "recipients"
