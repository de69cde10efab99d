"""What a webhook event means for the read model: the smallest sync that makes it true again
for the resource the event names, never a pass over a whole list.

Each refresh reads the resource from Natural again instead of trusting the event's
`data.object`: deliveries can repeat and arrive out of order, and what Natural answers now is
right whichever event came last.

- A party (`pty_`, as `party.updated` and `party.delegation_granted` name): the customer
  (`GET /customers/{id}`), its agent delegations (both lists filtered to that party, so a
  revoked one is told from an active one), and the agent invitations sent to its email.
- An agent delegation (`adl_`): the same for the party it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from natural import reads
from natural.errors import NaturalNotFound, NaturalRejected
from read_model import query, rows, sync
from read_model.models import (
    IndexedAgentDelegation,
    IndexedCustomer,
    SyncRun,
)
from read_model.resources import AGENT_DELEGATIONS, AGENT_INVITATIONS, CUSTOMERS, Resource

# The event types Natural documents that name something the read model keeps.
PARTY_EVENTS = frozenset({"party.updated", "party.delegation_granted"})
# A party has a handful of agent delegations and invitations; more pages than this is not one
# party's worth, and the scheduled passes will settle it.
MAX_PAGES = 10
PAGE_LIMIT = 100


@dataclass(frozen=True)
class Outcome:
    state: str  # "processed" or "ignored"
    reason: str = ""


def apply(event_type: str, resource_type: str, resource_id: str) -> Outcome:
    """Bring the read model in step for the resource one event names. Raises NaturalError when
    Natural cannot be read (the delivery is then recorded as failed)."""
    if event_type not in PARTY_EVENTS:
        return Outcome("ignored", f"{event_type} is not an event this dashboard uses")
    if resource_id.startswith("pty_"):
        refresh_party(resource_id)
        return Outcome("processed")
    if resource_id.startswith("adl_"):
        refresh_agent_delegation(resource_id)
        return Outcome("processed")
    return Outcome("ignored", f"names no customer or agent delegation ({resource_type or '?'})")


def event_run(resource: Resource) -> SyncRun:
    """The run the refreshed rows carry: newer than any pass now running, so a full pass that
    began earlier does not remove what the event just added."""
    now = timezone.now()
    return SyncRun.objects.create(
        resource=resource.name,
        mode=SyncRun.Mode.EVENT,
        state=SyncRun.State.COMPLETE,
        started_by="webhook",
        started_at=now,
        heartbeat_at=now,
        finished_at=now,
        seen=0,
    )


def refresh_party(party_id: str) -> None:
    email = refresh_customer(party_id)
    refresh_party_delegations(party_id)
    if email:
        refresh_invitations_to(email)


def refresh_agent_delegation(agent_delegation_id: str) -> None:
    try:
        delegation = reads.get_agent_delegation(agent_delegation_id)
    except NaturalNotFound:
        IndexedAgentDelegation.objects.filter(agent_delegation_id=agent_delegation_id).delete()
        query.rebuild_counts(AGENT_DELEGATIONS.name)
        return
    if delegation.delegating_party_id:
        refresh_party(delegation.delegating_party_id)


def refresh_customer(party_id: str) -> str:
    """The customer's row as Natural shows it now (removed when Natural no longer knows it);
    returns its email."""
    try:
        customer = reads.get_customer(party_id)
    except NaturalNotFound:
        IndexedCustomer.objects.filter(party_id=party_id).delete()
        query.rebuild_counts(CUSTOMERS.name)
        return ""
    run = event_run(CUSTOMERS)
    row = rows.customer_row(customer, run, timezone.now())
    sync.upsert(CUSTOMERS, [row], CUSTOMERS.updated_fields(CUSTOMERS.walks[0]))
    query.rebuild_counts(CUSTOMERS.name)
    return customer.email or ""


def _walk(fetch, **query_args) -> tuple[list, bool]:
    """Every item of a filtered list (bounded), and whether it was walked to its end."""
    items, complete = [], False
    for page in reads.iter_pages(fetch, max_pages=MAX_PAGES, limit=PAGE_LIMIT, **query_args):
        items.extend(page.items)
        complete = not (page.has_more and page.next_cursor)
    return items, complete


def refresh_party_delegations(party_id: str) -> None:
    """The party's agent delegations: listed with `include_revoked`, and without it, so each is
    known active or revoked now (Natural shows no status on them)."""
    everything, all_walked = _walk(
        reads.list_agent_delegations, delegating_party_id=party_id, include_revoked=True
    )
    active, active_walked = _walk(reads.list_agent_delegations, delegating_party_id=party_id)
    active_ids = {delegation.id for delegation in active}
    by_id = {delegation.id: delegation for delegation in [*everything, *active]}
    run = event_run(AGENT_DELEGATIONS)
    now = timezone.now()
    built = []
    for key in sorted(by_id):
        row = rows.agent_delegation_row(by_id[key], run, now)
        if key in active_ids:
            row.revoked, row.listed_active_by = False, run.pk
        elif active_walked:
            row.revoked, row.listed_active_by = True, None
        else:
            # Not walked to the end: this one's state is left to the scheduled passes.
            existing = IndexedAgentDelegation.objects.filter(agent_delegation_id=key).first()
            row.revoked = existing.revoked if existing else False
            row.listed_active_by = existing.listed_active_by if existing else None
        built.append(row)
    # This refresh decides the state itself, so it writes the fields only passes write.
    walk = AGENT_DELEGATIONS.walks[0]
    updated = [*AGENT_DELEGATIONS.updated_fields(walk), *AGENT_DELEGATIONS.derived]
    with transaction.atomic():
        sync.upsert(AGENT_DELEGATIONS, built, updated)
        if all_walked:
            # Natural lists none of these any more, not even with include_revoked.
            IndexedAgentDelegation.objects.filter(customer_party_id=party_id).exclude(
                agent_delegation_id__in=list(by_id)
            ).delete()
    query.rebuild_counts(AGENT_DELEGATIONS.name)


def refresh_invitations_to(email: str) -> None:
    """The agent invitations sent to this email (Natural filters by `customerEmail`)."""
    try:
        invitations, _ = _walk(reads.list_agent_invitations, customer_email=email)
    except NaturalRejected:
        return  # an address Natural will not filter by: the scheduled passes cover it
    if not invitations:
        return
    run = event_run(AGENT_INVITATIONS)
    now = timezone.now()
    built = {i.id: rows.agent_invitation_row(i, run, now) for i in invitations}
    sync.upsert(
        AGENT_INVITATIONS,
        [built[key] for key in sorted(built)],
        AGENT_INVITATIONS.updated_fields(AGENT_INVITATIONS.walks[0]),
    )
    query.rebuild_counts(AGENT_INVITATIONS.name)
