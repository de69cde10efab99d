"""The four lists the read model keeps, and what a sync needs to know about each.

A full pass walks each of a resource's walks in order, to the end; a quick pass walks the newest
pages of its quick walk only. Agent delegations take two walks because Natural sends them no
status: the first lists everything (`include_revoked`), the second only what is not revoked, and
a row the first listed but no walk without `include_revoked` has listed since the pass began is
revoked (sync.complete).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from natural import reads
from read_model import rows
from read_model.models import (
    IndexedAgentDelegation,
    IndexedAgentInvitation,
    IndexedCustomer,
    IndexedDelegationInvitation,
    SyncRun,
)


@dataclass(frozen=True)
class Walk:
    fetch: Callable[..., Any]
    # Fields this walk sets on every row it lists, from the run: {field: run -> value}.
    marks: dict[str, Callable[[SyncRun], Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Resource:
    name: str
    label: str
    # Names its text index: customer_index_<code>_fts (SQLite), customer_index_<code>_<column>_trgm.
    code: str
    model: type[models.Model]
    key: str
    build: Callable[..., models.Model]
    walks: tuple[Walk, ...]
    quick_walk: int = 0
    # Fields only walks' marks or a complete pass write; an upsert leaves them alone.
    derived: tuple[str, ...] = ()
    trigram_columns: tuple[str, ...] = ()

    @property
    def fts_table(self) -> str:
        return "_".join(filter(None, ("customer_index", self.code, "fts")))

    def trigram_index(self, column: str) -> str:
        return "_".join(filter(None, ("customer_index", self.code, column, "trgm")))

    def walks_for(self, mode: str) -> tuple[Walk, ...]:
        if mode in (SyncRun.Mode.QUICK, SyncRun.Mode.CHECK):
            return (self.walks[self.quick_walk],)
        return self.walks

    def updated_fields(self, walk: Walk) -> list[str]:
        skipped = {"id", self.key, *self.derived}
        names = [f.name for f in self.model._meta.concrete_fields if f.name not in skipped]
        return names + list(walk.marks)


# The services are looked up at call time, so a test can stand in for one of them.
def _customers(cursor, limit):
    return reads.list_customers(cursor=cursor, limit=limit)


def _agent_invitations(cursor, limit):
    return reads.list_agent_invitations(cursor=cursor, limit=limit)


def _delegation_invitations(cursor, limit):
    return reads.list_delegation_invitations(cursor=cursor, limit=limit)


def _all_agent_delegations(cursor, limit):
    return reads.list_agent_delegations(include_revoked=True, cursor=cursor, limit=limit)


def _active_agent_delegations(cursor, limit):
    return reads.list_agent_delegations(cursor=cursor, limit=limit)


CUSTOMERS = Resource(
    name=SyncRun.Resource.CUSTOMERS,
    code="",
    label="customers",
    model=IndexedCustomer,
    key="party_id",
    build=rows.customer_row,
    walks=(Walk(_customers),),
    trigram_columns=("name_folded", "email_folded", "agent_names_folded"),
)
AGENT_INVITATIONS = Resource(
    name=SyncRun.Resource.AGENT_INVITATIONS,
    code="adi",
    label="agent invitations",
    model=IndexedAgentInvitation,
    key="invitation_id",
    build=rows.agent_invitation_row,
    walks=(Walk(_agent_invitations),),
    trigram_columns=("email_folded", "agent_name_folded", "invitation_id"),
)
DELEGATION_INVITATIONS = Resource(
    name=SyncRun.Resource.DELEGATION_INVITATIONS,
    code="din",
    label="delegation invitations",
    model=IndexedDelegationInvitation,
    key="invitation_id",
    build=rows.delegation_invitation_row,
    walks=(Walk(_delegation_invitations),),
    trigram_columns=("email_folded", "invitation_id"),
)
AGENT_DELEGATIONS = Resource(
    name=SyncRun.Resource.AGENT_DELEGATIONS,
    code="adl",
    label="agent delegations",
    model=IndexedAgentDelegation,
    key="agent_delegation_id",
    build=rows.agent_delegation_row,
    walks=(
        Walk(_all_agent_delegations),
        Walk(
            _active_agent_delegations,
            marks={"revoked": lambda run: False, "listed_active_by": lambda run: run.pk},
        ),
    ),
    quick_walk=1,
    derived=("revoked", "listed_active_by"),
    trigram_columns=("customer_name_folded", "agent_name_folded", "agent_delegation_id"),
)

RESOURCES: dict[str, Resource] = {
    resource.name: resource
    for resource in (CUSTOMERS, AGENT_INVITATIONS, DELEGATION_INVITATIONS, AGENT_DELEGATIONS)
}


def mark_unlisted_revoked(run: SyncRun) -> int:
    """After a revocation check walked the active list to its end: a row no pass has seen
    since the check began, and that the check did not list, is no longer active (a row a later
    pass saw is left to that pass). Returns how many rows turned revoked."""
    return IndexedAgentDelegation.objects.filter(revoked=False, last_seen_run_id__lt=run.pk).update(
        revoked=True
    )


def mark_revoked(run: SyncRun) -> None:
    """After a complete full pass: revoked is what no walk without `include_revoked` listed
    since this pass began (a later quick pass that listed a row counts: run ids only grow)."""
    unlisted = models.Q(listed_active_by__isnull=True) | models.Q(listed_active_by__lt=run.pk)
    IndexedAgentDelegation.objects.filter(unlisted, revoked=False).update(revoked=True)
