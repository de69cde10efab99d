"""The local customer index: one row per customer seen in `GET /customers`, and the sync passes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class SyncRun(models.Model):
    """One pass over `GET /customers`. Its cursor makes it resumable; the partial unique
    constraint makes it single: the database refuses a second `running` row."""

    class State(models.TextChoices):
        RUNNING = "running"
        COMPLETE = "complete"
        FAILED = "failed"
        INTERRUPTED = "interrupted"

    state = models.CharField(max_length=12, choices=State, default=State.RUNNING)
    # The cursor of the next page to fetch; empty before the first page.
    cursor = models.TextField(blank=True, default="")
    pages = models.PositiveIntegerField(default=0)
    seen = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    started_by = models.CharField(max_length=150, blank=True, default="")
    # Whoever holds the run writes to it; taking over a dead run changes the owner, so a
    # worker that was only slow finds out at its next page and stops.
    owner = models.UUIDField(null=True, blank=True)
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["state"], condition=Q(state="running"), name="customer_index_one_running"
            )
        ]
        indexes = [models.Index(fields=["state", "-finished_at"], name="customer_index_run_state")]

    def __str__(self) -> str:
        return f"sync #{self.pk} {self.state}"

    @property
    def is_running(self) -> bool:
        return self.state == self.State.RUNNING


class IndexedCustomer(models.Model):
    """A customer as `GET /customers` last showed it, plus lowercased copies to search on.

    The `*_folded` columns carry the text indexes (FTS5 trigram on SQLite, pg_trgm GIN on
    PostgreSQL, both created in migration 0002) and b-tree indexes for prefix lookups (Django
    adds the `text_pattern_ops` twin on PostgreSQL that `LIKE 'q%'` needs).
    """

    party_id = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=500)
    email = models.CharField(max_length=320, blank=True, default="")
    created_at = models.DateTimeField(null=True, blank=True)
    delegation_id = models.CharField(max_length=40, blank=True, default="")
    delegation_status = models.CharField(max_length=20, blank=True, default="")
    permissions = models.JSONField(default=list)
    # [{"id", "name", "status", "permissions": [...], "per_transaction_cents": int | None}]
    agents = models.JSONField(default=list)
    agent_names = models.TextField(blank=True, default="")

    name_folded = models.TextField(db_index=True)
    email_folded = models.TextField(blank=True, default="", db_index=True)
    agent_names_folded = models.TextField(blank=True, default="")

    last_seen_run = models.ForeignKey(SyncRun, on_delete=models.PROTECT, related_name="+")
    last_seen_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="customer_index_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.party_id})"


def fold(text: str) -> str:
    """The one normalisation used on both sides of a search: stored columns and queries."""
    return text.lower()
