"""The operations audit log: one Operation per write to Natural, one OperationAttempt per try.

Rows are append-only: an operation moves forward through its states and gains attempts, but
nothing deletes it (the models refuse `delete()`, the admin offers no change or delete).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from natural.client import longest_silence

# Natural keeps an idempotency record this long; after it, the same key starts a new request.
REPLAY_WINDOW = timedelta(hours=48)
# Transport errors that prove a request never left this process.
NEVER_LEFT = frozenset({"ConnectError", "ConnectTimeout", "PoolTimeout"})


def sending_lease() -> timedelta:
    """How long a live process can hold a `sending` row without a sign of life.

    The sender stamps `sending_since` when it claims the row, and from a timer every third of
    the lease while the request is on the wire (operations/lease.py). A row not stamped for
    longer than what one call to Natural may spend without answering, plus a margin for the
    database round trips, belongs to a process that died.
    """
    return timedelta(seconds=longest_silence() + LEASE_MARGIN_SECONDS)


LEASE_MARGIN_SECONDS = 5


class Action(models.TextChoices):
    INVITE_CUSTOMERS = "invite_customers", "Invite customers to an agent"
    CREATE_DELEGATION_INVITATION = "create_delegation_invitation", "Create delegation invitation"
    REVOKE_AGENT_ACCESS = "revoke_agent_access", "Revoke agent access"
    CANCEL_INVITATION = "cancel_invitation", "Cancel invitation"
    CANCEL_INVITATIONS = "cancel_invitations", "Cancel invitations"


class State(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    UNKNOWN = "unknown", "Unknown"
    # A part of a batch the admin canceled before it was sent: nothing of it left.
    CANCELED = "canceled", "Canceled"


FINAL_STATES = (State.SUCCEEDED, State.FAILED, State.CANCELED)


class BatchState(models.TextChoices):
    SENDING = "sending", "Sending"
    PAUSED = "paused", "Paused"
    CANCELED = "canceled", "Canceled"
    DONE = "done", "Done"


# A batch whose pending parts the workers will still send.
ACTIVE_BATCH = (BatchState.SENDING, BatchState.PAUSED)


class AppendOnlyQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("Audit rows are never deleted.")


class OperationQuerySet(AppendOnlyQuerySet):
    def needing_attention(self):
        """Unknown or failed outcomes, parts a dead process left `sending` or never sent, and
        sends Natural turned away before processing them."""
        cutoff = timezone.now() - sending_lease()
        # The parts of a batch still being sent wait their turn on the workers: not stuck.
        left_alone = models.Q(batch__isnull=True) | ~models.Q(batch__state__in=ACTIVE_BATCH)
        return self.filter(
            models.Q(state__in=(State.FAILED, State.UNKNOWN))
            | models.Q(state=State.SENDING, sending_since__lt=cutoff)
            | (models.Q(state=State.PENDING, created_at__lt=cutoff) & left_alone)
            | (models.Q(state=State.PENDING, first_sent_at__isnull=False) & left_alone)
        )


class Batch(models.Model):
    """Several operations made by one form submit (e.g. 100,000 recipients in parts of 100),
    sent part by part by the workers (operations/batches.py)."""

    key = models.UUIDField(unique=True, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40, choices=Action.choices)
    target = models.JSONField(default=dict, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # sending -> done, or paused (and back) or canceled by an admin on the batch page.
    state = models.CharField(
        max_length=10, choices=BatchState.choices, default=BatchState.SENDING, db_index=True
    )
    # Stamped by a sender after its parts (at most once a second) and while one is on the wire
    # (operations/lease.py): a batch with work left and no stamp within the sending lease has
    # lost its senders, and the workers' watch gives it new ones.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "batches"

    def __str__(self) -> str:
        return f"{self.get_action_display()} batch {self.key}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit rows are never deleted.")


class Operation(models.Model):
    """One write to Natural, identified by its idempotency key, with the exact bytes it sends."""

    key = models.UUIDField(unique=True, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    body = models.BinaryField(blank=True, default=b"")
    body_sha256 = models.CharField(max_length=64)
    idempotent = models.BooleanField()
    target = models.JSONField(default=dict, blank=True)
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="operations"
    )
    chunk_index = models.PositiveIntegerField(null=True, blank=True)
    # How many recipients the request names, and how many invitations Natural created.
    recipient_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    first_sent_at = models.DateTimeField(null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Created ids, meta.emailFailures, errors with their pointers, replayed, HTTP status.
    result = models.JSONField(default=dict, blank=True)
    # What a look-up of Natural found for an `unknown` operation; the attempts stay as they were.
    reconciliation = models.JSONField(null=True, blank=True)
    # Key, target ids, recipients and created ids, so one text search finds the operation.
    search_text = models.TextField(blank=True, default="")

    objects = OperationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "chunk_index"], name="operation_unique_chunk_per_batch"
            )
        ]
        indexes = [
            # A sender's next parts (pending ones in order) without stepping over the parts
            # already sent: a batch's rows carry their bytes, so each row stepped over is read.
            models.Index(fields=["batch", "state", "chunk_index"], name="operation_batch_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.key} ({self.state})"

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit rows are never deleted.")

    @staticmethod
    def hash_body(body: bytes) -> str:
        return hashlib.sha256(body).hexdigest()

    @property
    def body_bytes(self) -> bytes:
        return bytes(self.body or b"")

    @property
    def body_text(self) -> str:
        return self.body_bytes.decode("utf-8", errors="replace")

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def replay_window_ends_at(self):
        started = self.first_sent_at or self.created_at
        return started + REPLAY_WINDOW

    @property
    def is_stale_sending(self) -> bool:
        """`sending`, yet no sign of life within the lease: the process sending it died."""
        return (
            self.state == State.SENDING
            and self.sending_since is not None
            and timezone.now() - self.sending_since > sending_lease()
        )

    @property
    def is_being_sent(self) -> bool:
        return self.state == State.SENDING and not self.is_stale_sending

    @property
    def not_sent(self) -> bool:
        """Still `pending` after an attempt Natural turned away unprocessed (a final 429), or
        left unclaimed by a process that died before sending it."""
        if self.state != State.PENDING:
            return False
        if self.batch_id is not None and self.batch.state in ACTIVE_BATCH:
            return False  # the workers send it in its turn
        return bool(self.result.get("not_sent")) or (
            timezone.now() - self.created_at > sending_lease()
        )

    @property
    def needs_attention(self) -> bool:
        return self.state == State.UNKNOWN or self.is_stale_sending or self.not_sent

    @property
    def can_send_again(self) -> bool:
        """Nothing of it was processed by Natural, so sending it cannot make a duplicate."""
        return self.not_sent

    @property
    def can_retry_same_key(self) -> bool:
        """Resending is safe only where Natural dedupes the key and still remembers it, or
        where nothing was processed yet."""
        if self.not_sent:
            return True
        return (
            self.idempotent
            and (self.state == State.UNKNOWN or self.is_stale_sending)
            and timezone.now() < self.replay_window_ends_at
        )

    @property
    def can_reconcile(self) -> bool:
        return self.state == State.UNKNOWN or self.is_stale_sending

    @property
    def created_ids(self) -> list[str]:
        return list(self.result.get("ids", []))

    @property
    def errors(self) -> list[dict]:
        return list(self.result.get("errors", []))


class OperationAttempt(models.Model):
    """One HTTP exchange for an operation. Never holds a token or an auth header."""

    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveIntegerField()
    # 1 for the first send, 2 for the first "retry with the same key", ...
    round = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    exception = models.CharField(max_length=200, blank=True, default="")
    retry_after = models.FloatField(null=True, blank=True)
    replayed = models.BooleanField(default=False)
    support_id = models.CharField(max_length=100, blank=True, default="")
    body_sha256 = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["operation_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "number"], name="attempt_unique_number_per_operation"
            )
        ]

    def __str__(self) -> str:
        outcome = self.status or self.exception or "?"
        return f"attempt {self.number} of {self.operation.key}: {outcome}"

    @property
    def may_have_applied(self) -> bool:
        """Whether Natural may have processed this attempt. Only a refused connection proves
        the bytes never left; 429 is documented as "not processed"; a 4xx refusal is an answer
        to the content. Anything else (a lost answer, 5xx, 409 in progress, success) may."""
        if self.status is None:
            return self.exception not in NEVER_LEFT
        return self.status != 429 and not (400 <= self.status < 500 and self.status != 409)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit rows are never deleted.")


class BatchDraft(models.Model):
    """The recipients a preview read (a pasted list or an uploaded CSV of up to 100,000 lines),
    kept under the form's key until the admin confirms or edits, so the confirm sends exactly
    what was previewed without the browser posting the list back. Not an audit row: drafts
    older than a day are removed."""

    key = models.UUIDField(unique=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=255, blank=True, default="")
    # One recipient a line, "type value", in the order read.
    recipients = models.TextField(blank=True, default="")
    duplicates = models.PositiveIntegerField(default=0)
    # [[source, line, reason], ...]: the lines refused, for the preview and its CSV download.
    refused = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"draft {self.key}"


from operations.review_marks import ReviewMark  # noqa: E402  (registered with this app)

__all__ = ["Batch", "BatchDraft", "Operation", "OperationAttempt", "ReviewMark"]
