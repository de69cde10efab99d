"""Send a write to Natural exactly once: the single-flight state machine of an Operation.

    pending ──claim──▶ sending ──▶ succeeded | failed | unknown
                                                      │
    unknown ──retry (same key, same bytes, < 48 h)──▶ sending

API (any action: invite_customers, create_delegation_invitation, revoke_agent_access,
cancel_invitation, cancel_invitations, ...):

    prepare(key=, actor=, action=, method=, path=, body=b"", idempotent=, target={},
            batch=None, chunk_index=None) -> Operation
        Commits the operation row (state `pending`) before anything is sent, or returns the
        row that already has this key. Raises KeyReused if that row holds another request.
    run(operation) -> Operation
        Claims `pending -> sending` with a conditional UPDATE; only the claimer sends. Anyone
        else gets the row back untouched, so a second submit never sends again.
    submit(**prepare_arguments) -> Operation      prepare + run.
    retry(operation) -> Operation
        `unknown` (or `sending` abandoned by a dead process) -> `sending` again, with the same
        key and bytes. Only for idempotent operations inside Natural's 48 h replay window;
        raises CannotRetry otherwise.
    create_batch(key=, actor=, action=, target={}, summary={}, parts=[Part, ...]) -> Batch
        Commits the batch and every part's operation (keys chunk_key(key, i)) in one
        transaction, before the first part is sent. Returns the existing batch for a known key.
    run_batch(batch) -> list[Operation]            sends the batch's pending parts in order.
    claim_and_send(operation, observe=None) -> Operation | None
        run / retry for a batch sender: None when another sender has the part. `observe` sees
        every attempt (the shared pace reads Natural's rate-limit answers from it).

No database transaction is open while a request is on the wire: each state change is its own
short autocommit statement, and attempts are written as they finish. While a request is on the
wire a timer renews the sender's claim (operations/lease.py), so a slow answer never makes a
live sender look dead.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from natural.client import get_client
from natural.errors import (
    NaturalCredentialsRefused,
    NaturalError,
    NaturalOutcomeUnknown,
    NaturalRejected,
)
from natural.records import parse_write_result
from operations import lease
from operations.catalog import declared
from operations.models import (
    Batch,
    Operation,
    OperationAttempt,
    State,
    sending_lease,
)

logger = logging.getLogger("operations.engine")


class KeyReused(Exception):
    """The key already names a different request: a bug or a tampered form, never a resend."""


class CannotRetry(Exception):
    """This operation may not be sent again with its key (use reconcile instead)."""


@dataclass(frozen=True)
class Part:
    """One operation of a batch."""

    method: str
    path: str
    body: bytes
    idempotent: bool
    target: dict[str, Any] = field(default_factory=dict)


def chunk_key(batch_key: uuid.UUID | str, index: int) -> uuid.UUID:
    """Deterministic per chunk, so a resubmitted form maps onto the same operations."""
    return uuid.uuid5(uuid.UUID(str(batch_key)), f"chunk-{index}")


def prepare(
    *,
    key: uuid.UUID | str,
    actor,
    action: str,
    method: str,
    path: str,
    body: bytes = b"",
    idempotent: bool,
    target: dict[str, Any] | None = None,
    batch: Batch | None = None,
    chunk_index: int | None = None,
) -> Operation:
    key = uuid.UUID(str(key))
    _check_declared(action, method, idempotent)
    target = target or {}
    defaults = {
        "actor": actor,
        "action": action,
        "method": method.upper(),
        "path": path,
        "body": body,
        "body_sha256": Operation.hash_body(body),
        "idempotent": idempotent,
        "target": target,
        "batch": batch,
        "chunk_index": chunk_index,
        "search_text": _search_text(key, target),
    }
    with transaction.atomic():
        operation, created = Operation.objects.get_or_create(key=key, defaults=defaults)
    if not created:
        _check_same_request(operation, action, method, path, body)
    return operation


def submit(**arguments) -> Operation:
    return run(prepare(**arguments))


def run(operation: Operation, *, observe=None) -> Operation:
    return _run(operation, observe) or operation


def _run(operation: Operation, observe) -> Operation | None:
    now = timezone.now()
    claimed = Operation.objects.filter(pk=operation.pk, state=State.PENDING).update(
        state=State.SENDING, sending_since=now, first_sent_at=Coalesce("first_sent_at", now)
    )
    if not claimed:
        operation.refresh_from_db()
        return None
    _reload(operation)
    # Never sent before (the claim set first_sent_at): no attempts to number after.
    earlier = (0, 0) if operation.first_sent_at == now else _earlier_attempts(operation)
    return _send(operation, earlier=earlier, resumed=False, observe=observe)


def retry(operation: Operation, *, observe=None) -> Operation:
    operation.refresh_from_db()
    if not operation.can_retry_same_key:
        raise CannotRetry(_why_not_retry(operation))
    return _retry(operation, observe) or operation


def _retry(operation: Operation, observe) -> Operation | None:
    if operation.state == State.PENDING:
        return _run(operation, observe)
    now = timezone.now()
    abandoned = Q(state=State.SENDING, sending_since__lt=now - sending_lease())
    claimed = (
        Operation.objects.filter(pk=operation.pk)
        .filter(Q(state=State.UNKNOWN) | abandoned)
        .update(state=State.SENDING, sending_since=now)
    )
    if not claimed:
        operation.refresh_from_db()
        return None
    _reload(operation)
    return _send(operation, earlier=_earlier_attempts(operation), resumed=True, observe=observe)


def claim_and_send(operation: Operation, *, observe=None) -> Operation | None:
    """Send a part of a batch if this caller claims it: a pending part, or (same key, same
    bytes) an unknown one or one whose sender died. None when another sender has it."""
    if operation.state == State.PENDING:
        return _run(operation, observe)
    if not operation.idempotent or timezone.now() >= operation.replay_window_ends_at:
        return None
    return _retry(operation, observe)


def abandon(operation: Operation) -> Operation:
    """A part whose process died while it was `sending` becomes `unknown` (its lease ran out),
    so it can be reconciled and retried like any other unknown outcome."""
    cutoff = timezone.now() - sending_lease()
    Operation.objects.filter(pk=operation.pk, state=State.SENDING, sending_since__lt=cutoff).update(
        state=State.UNKNOWN,
        sending_since=None,
        result={"message": "The process sending this request stopped before Natural answered."},
    )
    operation.refresh_from_db()
    return operation


def _reload(operation: Operation) -> None:
    """Every field from the database, those a caller left deferred too (a batch's senders
    read their candidates without the bytes)."""
    operation.refresh_from_db(fields=[field.attname for field in Operation._meta.concrete_fields])


def _earlier_attempts(operation: Operation) -> tuple[int, int]:
    """How many attempts the operation has, and the last round they were sent in."""
    found = operation.attempts.aggregate(count=Count("id"), last=Max("round"))
    return found["count"], found["last"] or 0


def create_batch(
    *,
    key: uuid.UUID | str,
    actor,
    action: str,
    target: dict[str, Any] | None = None,
    summary: dict[str, Any] | None = None,
    parts: list[Part],
) -> Batch:
    key = uuid.UUID(str(key))
    wanted = [(p.method.upper(), p.path, Operation.hash_body(p.body)) for p in parts]
    existing = Batch.objects.filter(key=key).first()
    if existing is not None:
        return _same_batch(existing, action, wanted)
    for part in parts:
        _check_declared(action, part.method, part.idempotent)
    with transaction.atomic():
        batch, created = Batch.objects.get_or_create(
            key=key,
            defaults={
                "actor": actor,
                "action": action,
                "target": target or {},
                "summary": summary or {},
            },
        )
        if created:
            # Every part committed with the batch, in one statement per thousand rows: a
            # 100,000-recipient batch is 1,000 parts.
            Operation.objects.bulk_create(
                [_part_operation(batch, index, part) for index, part in enumerate(parts)],
                batch_size=500,
            )
    if not created:
        return _same_batch(batch, action, wanted)
    return batch


def _part_operation(batch: Batch, index: int, part: Part) -> Operation:
    key = chunk_key(batch.key, index)
    return Operation(
        key=key,
        actor=batch.actor,
        action=batch.action,
        method=part.method.upper(),
        path=part.path,
        body=part.body,
        body_sha256=Operation.hash_body(part.body),
        idempotent=part.idempotent,
        target=part.target,
        batch=batch,
        chunk_index=index,
        recipient_count=len(part.target.get("recipients", ())),
        search_text=_search_text(key, part.target),
    )


def _same_batch(batch: Batch, action: str, wanted: list[tuple[str, str, str]]) -> Batch:
    """The batch this key made, if it is the request asked for now; KeyReused otherwise."""
    held = list(
        batch.operations.order_by("chunk_index").values_list("method", "path", "body_sha256")
    )
    if batch.action != action or held != wanted:
        raise KeyReused(f"Key {batch.key} already belongs to another batch.")
    return batch


def run_batch(batch: Batch) -> list[Operation]:
    sent = []
    for operation in batch.operations.filter(state=State.PENDING).order_by("chunk_index"):
        sent.append(run(operation))
    return sent


def batch_digest(batch: Batch) -> str:
    """What a batch sends, as one hash of its parts' bodies in order (the preview's digest)."""
    hashes = batch.operations.order_by("chunk_index").values_list("body_sha256", flat=True)
    return digest_of_hashes(hashes)


def digest_of_hashes(body_hashes) -> str:
    hasher = hashlib.sha256()
    for body_hash in body_hashes:
        hasher.update(bytes.fromhex(body_hash))
    return hasher.hexdigest()


def digest_of_bodies(bodies) -> str:
    return digest_of_hashes(Operation.hash_body(body) for body in bodies)


# Sending


def _send(
    operation: Operation, *, earlier: tuple[int, int], resumed: bool, observe=None
) -> Operation:
    """`earlier`: the attempts the operation already has and their last round. `resumed`: the
    operation was `unknown` (or left `sending`), so an earlier send may have been applied and
    only an answer that proves otherwise may call it failed."""

    base_number, last_round = earlier
    round_number = last_round + 1
    body = operation.body_bytes
    claim = lease.Lease(operation)

    def record_attempt(info) -> None:
        OperationAttempt.objects.create(
            operation=operation,
            number=base_number + info.number,
            round=round_number,
            started_at=info.started_at,
            duration_ms=max(0, int(info.duration_ms or 0)),
            status=info.status,
            exception=(info.exception or "")[:200],
            retry_after=info.retry_after,
            replayed=bool(info.replayed),
            support_id=info.support_id or "",
            body_sha256=operation.body_sha256,
        )
        if observe is not None:
            observe(info)

    try:
        with lease.kept(claim):
            response = get_client().send(
                operation.method,
                operation.path,
                body=body or None,
                idempotency_key=str(operation.key),
                idempotent=operation.idempotent,
                on_attempt=record_attempt,
            )
    except (NaturalRejected, NaturalCredentialsRefused) as error:
        if proves_not_applied(error.status) or not _may_have_applied_before(operation, resumed):
            return _finish(operation, State.FAILED, _failure_result(error))
        return _finish(operation, State.UNKNOWN, _unknown_result(error))
    except NaturalOutcomeUnknown as error:
        return _finish(operation, State.UNKNOWN, _unknown_result(error))
    except NaturalError as error:
        # The client raises anything else for a write only when no attempt of this send was
        # processed (a final 429, or the request never left).
        if _may_have_applied_before(operation, resumed):
            return _finish(operation, State.UNKNOWN, _unknown_result(error))
        return _finish(operation, State.PENDING, _not_sent_result(error))
    except Exception as error:
        # A bug of ours after the bytes may have left: the outcome is unknown, never lost.
        logger.exception("operation %s: unexpected error while sending", operation.key)
        _finish(operation, State.UNKNOWN, {"message": type(error).__name__})
        raise
    return _finish(operation, State.SUCCEEDED, _success_result(response))


# The answers that prove a request was not applied, even when an earlier send of it may have
# been: Natural replays the original answer for a key it already processed, so a fresh refusal
# of the content (400 malformed, 404 no such resource, 422 invalid) to the same key and bytes
# means no earlier send was applied. 401/403 (checked before the key is looked up), 408, 409
# (in progress), 429 and 5xx say nothing about earlier sends.
PROOF_OF_NOT_APPLIED = frozenset({400, 404, 410, 422})


def proves_not_applied(status: int | None) -> bool:
    return status in PROOF_OF_NOT_APPLIED


def _may_have_applied_before(operation: Operation, resumed: bool) -> bool:
    """Whether an earlier attempt than the last one may have been processed by Natural."""
    if resumed:
        return True
    attempts = list(operation.attempts.order_by("number"))
    return any(attempt.may_have_applied for attempt in attempts[:-1])


def _finish(operation: Operation, state: str, result: dict[str, Any]) -> Operation:
    settled = {
        "state": state,
        "result": result,
        "finished_at": None if state == State.PENDING else timezone.now(),
        "sending_since": None,
        "search_text": " ".join([operation.search_text, *result.get("ids", [])]).strip(),
        "created_count": len(result.get("ids", [])),
    }
    if Operation.objects.filter(pk=operation.pk, state=State.SENDING).update(**settled):
        for name, value in settled.items():
            setattr(operation, name, value)
    else:
        _reload(operation)  # settled by another process meanwhile: what the database holds
    logger.info("operation %s %s %s -> %s", operation.key, operation.method, operation.path, state)
    return operation


def _success_result(response) -> dict[str, Any]:

    written = parse_write_result(response.json)
    items = []
    for resource in written.resources:
        item = {"id": resource.id, "type": resource.type}
        if resource.recipient_type and resource.recipient_value:
            item["recipient"] = {"type": resource.recipient_type, "value": resource.recipient_value}
        if resource.status:
            item["status"] = resource.status
        items.append(item)
    return {
        "status": response.status,
        "replayed": bool(response.replayed),
        "support_id": response.support_id,
        "ids": [item["id"] for item in items],
        "items": items,
        "emailFailures": list(written.email_failures),
        "revokedCount": written.revoked_count,
        "response": response.json if isinstance(response.json, dict) else {},
    }


def _failure_result(error) -> dict[str, Any]:
    return {
        "status": error.status,
        "message": error.message,
        "support_id": error.support_id,
        "errors": [
            {
                "code": item.code,
                "detail": item.detail,
                "status": item.status,
                "pointer": item.pointer,
                "parameter": item.parameter,
                "header": item.header,
                "support_id": item.support_id,
            }
            for item in getattr(error, "errors", ()) or ()
        ],
    }


def _not_sent_result(error) -> dict[str, Any]:
    return {
        "status": error.status,
        "message": f"{error.message} Natural did not process it; it can be sent again safely.",
        "support_id": error.support_id,
        "not_sent": True,
        "retry_after": getattr(error, "retry_after", None),
    }


def _unknown_result(error) -> dict[str, Any]:
    return {
        "status": getattr(error, "last_status", None) or error.status,
        "message": error.message,
        "support_id": error.support_id,
        "error": type(error).__name__,
    }


def _check_declared(action: str, method: str, idempotent: bool) -> None:
    """A write is sent the way its declaration says, or not at all (a bug, never a resend)."""
    write = declared(action)
    if write.method != method.upper() or write.idempotent != idempotent:
        raise ValueError(f"{action} is declared {write.method}, idempotent={write.idempotent}.")


def _check_same_request(operation: Operation, action: str, method: str, path: str, body: bytes):
    same = (
        operation.action == action
        and operation.method == method.upper()
        and operation.path == path
        and operation.body_sha256 == Operation.hash_body(body)
    )
    if not same:
        raise KeyReused(f"Key {operation.key} already belongs to another request.")


def _why_not_retry(operation: Operation) -> str:
    if operation.state == State.PENDING:
        return "The operation is waiting to be sent; nothing went out yet."
    if not operation.idempotent:
        return "Natural does not deduplicate this request by key; reconcile it instead."
    if operation.state not in (State.UNKNOWN, State.SENDING):
        return f"The operation is {operation.state}; there is nothing to retry."
    if operation.state == State.SENDING:
        return "The operation is being sent right now."
    return "Natural no longer remembers this key (48 h); reconcile it instead."


def _search_text(key: uuid.UUID, target: dict[str, Any]) -> str:
    words = [str(key)]
    for value in target.values():
        if isinstance(value, list | tuple):
            words.extend(str(item) for item in value)
        elif value is not None:
            words.append(str(value))
    return " ".join(words)
