"""Review marks: a manager's note that a delegation was looked at (or needs a second look).

Natural has no such concept, so marks live only here. They are append-only: a new verdict is a
new row, the latest one per delegation is what the tables show, and the history keeps them all.
Undoing a mark is a mark too ("undone"): the delegation is back in the unreviewed queue, and the
history shows both the mark and its undoing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReviewMarkQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("Review marks are never deleted.")

    def update(self, **kwargs):
        raise PermissionError("Review marks are never changed; add a new mark instead.")

    def latest_by_delegation(self, delegation_ids) -> dict[str, ReviewMark]:
        """The newest mark of each delegation, in one query."""
        latest: dict[str, ReviewMark] = {}
        marks = self.filter(delegation_id__in=list(delegation_ids)).select_related("actor")
        for mark in marks.order_by("-created_at", "-id"):
            latest.setdefault(mark.delegation_id, mark)
        return latest


# How long after a mark its "Undo" is honoured (the message offering it fades sooner).
UNDO_WITHIN_SECONDS = 600


class ReviewMark(models.Model):
    class Verdict(models.TextChoices):
        REVIEWED = "reviewed", "Reviewed"
        FLAGGED = "flagged", "Flagged"
        # Takes back the mark before it, a few seconds after it was made.
        UNDONE = "undone", "Undone"

    delegation_id = models.CharField(max_length=40, db_index=True)
    customer_party_id = models.CharField(max_length=40, db_index=True)
    agent_id = models.CharField(max_length=40)
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    comment = models.TextField(blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_marks"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    objects = ReviewMarkQuerySet.as_manager()

    class Meta:
        # The table kept the name it had in the manager-actions app this model came from.
        db_table = "actions_reviewmark"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["delegation_id", "-created_at"], name="mark_by_delegation")]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} {self.delegation_id} by {self.actor_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Review marks are never changed; add a new mark instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Review marks are never deleted.")
