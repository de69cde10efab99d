"""One row per periodic job and period: the database lets one worker in each period run it."""

from __future__ import annotations

from django.db import models


class PeriodicSlot(models.Model):
    """`name` was enqueued for the period starting at `starts_at` (by the worker `taken_by`).

    The unique constraint is the guard: every worker's scheduler tries to insert the row for the
    current period, and only the one whose insert succeeds enqueues the job.
    """

    name = models.CharField(max_length=60)
    starts_at = models.DateTimeField()
    taken_by = models.CharField(max_length=100, blank=True, default="")
    taken_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "starts_at"], name="periodic_slot_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} at {self.starts_at:%Y-%m-%d %H:%M:%S}"
