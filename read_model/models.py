"""The local read model: one row per customer, agent invitation, delegation invitation and agent
delegation that Natural last listed, and the sync passes that keep them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class SyncRun(models.Model):
    """One pass over one resource's list. Its cursor makes it resumable; the partial unique
    constraint makes it single: the database refuses a second `running` row for the same
    resource and mode (a quick pass may run beside a full one: see sync.py)."""

    class Resource(models.TextChoices):
        CUSTOMERS = "customers"
        AGENT_INVITATIONS = "agent_invitations"
        DELEGATION_INVITATIONS = "delegation_invitations"
        AGENT_DELEGATIONS = "agent_delegations"

    class Mode(models.TextChoices):
        FULL = "full"
        QUICK = "quick"
        # The rows one webhook event named, read again (read_model/events.py): complete at birth.
        EVENT = "event"
        # The active agent delegations walked to the end to find revocations (no removals).
        CHECK = "check"

    class State(models.TextChoices):
        RUNNING = "running"
        COMPLETE = "complete"
        FAILED = "failed"
        INTERRUPTED = "interrupted"

    resource = models.CharField(max_length=24, choices=Resource, default=Resource.CUSTOMERS)
    mode = models.CharField(max_length=8, choices=Mode, default=Mode.FULL)
    state = models.CharField(max_length=12, choices=State, default=State.RUNNING)
    # Which of the resource's list walks the cursor belongs to (agent delegations take two).
    walk = models.PositiveSmallIntegerField(default=0)
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
                fields=["resource", "mode"],
                condition=Q(state="running"),
                name="customer_index_one_running_pass",
            )
        ]
        indexes = [
            models.Index(
                fields=["resource", "mode", "state", "-finished_at"],
                name="customer_index_run_state",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mode} sync #{self.pk} of {self.resource} {self.state}"

    @property
    def is_running(self) -> bool:
        return self.state == self.State.RUNNING


def sort_indexes(code: str, *columns: str) -> list[models.Index]:
    """(column, created_at, id): a sorted page walks it and stops after one page of rows, in
    either direction, where an index on the column alone leaves every tie to be sorted."""
    return [
        models.Index(fields=[column, "created_at", "id"], name=f"ci_{code}_sort_{column}"[:30])
        for column in columns
    ]


class IndexedRow(models.Model):
    """What every indexed row carries: the pass that last saw it. A complete full pass removes
    the rows no pass has seen since it started (run ids only grow)."""

    last_seen_run = models.ForeignKey(SyncRun, on_delete=models.PROTECT, related_name="+")
    last_seen_at = models.DateTimeField()

    class Meta:
        abstract = True


class IndexedCustomer(IndexedRow):
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

    class Meta:
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="customer_index_newest"),
            models.Index(
                fields=["delegation_status", "-created_at"], name="customer_index_c_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.party_id})"


class IndexedAgentInvitation(IndexedRow):
    """An `adi_` invitation as `GET /agents/invitations` last showed it."""

    invitation_id = models.CharField(max_length=40, unique=True)
    email = models.CharField(max_length=320, blank=True, default="")
    recipient_type = models.CharField(max_length=20, blank=True, default="")
    recipient_value = models.CharField(max_length=320, blank=True, default="")
    agent_id = models.CharField(max_length=40, blank=True, default="")
    agent_name = models.CharField(max_length=500, blank=True, default="")
    status = models.CharField(max_length=20, blank=True, default="")
    # What people filter on: a PENDING invitation past its expiry is EXPIRED here.
    effective_status = models.CharField(max_length=20, blank=True, default="")
    permissions = models.JSONField(default=list)
    permission_set = models.TextField(blank=True, default="")
    per_transaction_cents = models.BigIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=40, blank=True, default="")
    customer_party_id = models.CharField(max_length=40, blank=True, default="")
    agent_delegation_id = models.CharField(max_length=40, blank=True, default="")

    email_folded = models.TextField(blank=True, default="", db_index=True)
    agent_name_folded = models.TextField(blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="customer_index_adi_newest"),
            models.Index(
                fields=["effective_status", "agent_id", "-created_at"],
                name="customer_index_adi_status",
            ),
            models.Index(fields=["agent_id", "effective_status"], name="customer_index_adi_agent"),
            models.Index(fields=["expires_at"], name="customer_index_adi_expires"),
            # "Pending, soonest to expire first": the question asked most.
            models.Index(
                fields=["effective_status", "expires_at", "created_at", "id"],
                name="ci_adi_status_expires",
            ),
            # Sorts on columns with few distinct values (see query.ordering); thousands of
            # invitations to a phone number share the empty email.
            *sort_indexes(
                "adi",
                "per_transaction_cents",
                "agent_name_folded",
                "effective_status",
                "email_folded",
            ),
        ]

    def __str__(self) -> str:
        return self.invitation_id


class IndexedDelegationInvitation(IndexedRow):
    """A `din_` invitation as `GET /agent-delegation-invitations` last showed it."""

    invitation_id = models.CharField(max_length=40, unique=True)
    email = models.CharField(max_length=320, blank=True, default="")
    status = models.CharField(max_length=20, blank=True, default="")
    permissions = models.JSONField(default=list)
    permission_set = models.TextField(blank=True, default="")
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    customer_party_id = models.CharField(max_length=40, blank=True, default="")

    email_folded = models.TextField(blank=True, default="", db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="customer_index_din_newest"),
            models.Index(fields=["status", "-created_at"], name="customer_index_din_status"),
            models.Index(fields=["expires_at"], name="customer_index_din_expires"),
        ]

    def __str__(self) -> str:
        return self.invitation_id


class IndexedAgentDelegation(IndexedRow):
    """An `adl_` agent delegation. Natural sends no status: a delegation is revoked when it is
    listed only with `include_revoked` (see sync.py for how a pass tells them apart)."""

    agent_delegation_id = models.CharField(max_length=40, unique=True)
    agent_id = models.CharField(max_length=40, blank=True, default="")
    agent_name = models.CharField(max_length=500, blank=True, default="")
    delegation_id = models.CharField(max_length=40, blank=True, default="")
    customer_party_id = models.CharField(max_length=40, blank=True, default="")
    customer_name = models.CharField(max_length=500, blank=True, default="")
    permissions = models.JSONField(default=list)
    permission_set = models.TextField(blank=True, default="")
    per_transaction_cents = models.BigIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=40, blank=True, default="")
    revoked = models.BooleanField(default=False)
    # The latest pass whose walk without `include_revoked` listed this row.
    listed_active_by = models.BigIntegerField(null=True, blank=True)

    agent_name_folded = models.TextField(blank=True, default="")
    customer_name_folded = models.TextField(blank=True, default="", db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="customer_index_adl_newest"),
            models.Index(
                fields=["revoked", "agent_id", "-created_at"], name="customer_index_adl_state"
            ),
            models.Index(fields=["agent_id", "revoked"], name="customer_index_adl_agent"),
            # "Expiring within N days" is counted from the rows (time moves): every column the
            # counts group by rides in the index, so they are read without visiting the table.
            models.Index(
                fields=[
                    "expires_at",
                    "revoked",
                    "agent_id",
                    "created_by",
                    "per_transaction_cents",
                    "permission_set",
                ],
                name="ci_adl_expires_counted",
            ),
            models.Index(fields=["customer_party_id"], name="ci_adl_party"),
            models.Index(fields=["delegation_id"], name="ci_adl_delegation"),
            # Sorts on columns with few distinct values; the delegations table sorts by each.
            *sort_indexes(
                "adl",
                "per_transaction_cents",
                "agent_name_folded",
                "created_by",
                "customer_name_folded",
                "revoked",
            ),
        ]

    def __str__(self) -> str:
        return self.agent_delegation_id


class CountSummary(models.Model):
    """One resource's rows grouped by the columns people filter on, with a count per group,
    as the last complete pass left them (see counts.py)."""

    resource = models.CharField(max_length=24, choices=SyncRun.Resource, unique=True)
    built_at = models.DateTimeField()
    # [{column: value, ..., "n": count}, ...]
    groups = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"counts of {self.resource} at {self.built_at:%H:%M:%S}"


def permission_set(permissions) -> str:
    """Permissions as one space-delimited string, so `contains " p "` filters and counts them."""
    return " " + " ".join(sorted(set(permissions))) + " " if permissions else ""


def fold(text: str) -> str:
    """The one normalisation used on both sides of a search: stored columns and queries."""
    return text.lower()
