"""Natural's records as read-model rows (unsaved): one builder per resource."""

from __future__ import annotations

from datetime import datetime

from natural import revocation
from natural.records import (
    AgentDelegation,
    AgentInvitation,
    AgentRef,
    Customer,
    Delegation,
    DelegationInvitation,
    Limits,
    Money,
)
from read_model.models import (
    IndexedAgentDelegation,
    IndexedAgentInvitation,
    IndexedCustomer,
    IndexedDelegationInvitation,
    SyncRun,
    fold,
    permission_set,
)


def per_transaction_cents(limits) -> int | None:
    if limits is None or limits.per_transaction is None:
        return None
    return limits.per_transaction.cents


def customer_row(customer, run: SyncRun | None = None, now: datetime | None = None):
    """The index row for one `delegations.records.Customer` (unsaved; no run for a preview)."""
    delegation = customer.delegation
    agents = [
        {
            "id": agent.id,
            "name": agent.name or "",
            "status": agent.status or "",
            "permissions": list(agent.permissions or ()),
            "per_transaction_cents": per_transaction_cents(agent.limits),
        }
        for agent in customer.agents
    ]
    agent_names = "\n".join(agent["name"] for agent in agents)
    name, email = customer.name or "", customer.email or ""
    return seen(
        IndexedCustomer(
            party_id=customer.id,
            name=name,
            email=email,
            created_at=customer.created_at,
            delegation_id=delegation.id if delegation else "",
            delegation_status=(delegation.status or "") if delegation else "",
            permissions=list(delegation.permissions or ()) if delegation else [],
            agents=agents,
            agent_names=agent_names,
            name_folded=fold(name),
            email_folded=fold(email),
            agent_names_folded=fold(agent_names),
        ),
        run,
        now,
    )


def agent_invitation_row(invitation, run: SyncRun | None = None, now: datetime | None = None):
    email = invitation.email or ""
    agent_name = invitation.agent_name or ""
    return seen(
        IndexedAgentInvitation(
            invitation_id=invitation.id,
            email=email,
            recipient_type=invitation.recipient_type or "",
            recipient_value=invitation.recipient_value or "",
            agent_id=invitation.agent_id or "",
            agent_name=agent_name,
            status=invitation.status or "",
            effective_status=invitation.effective_status or invitation.status or "",
            permissions=list(invitation.permissions),
            permission_set=permission_set(invitation.permissions),
            per_transaction_cents=per_transaction_cents(invitation.limits),
            expires_at=invitation.expires_at,
            created_at=invitation.created_at,
            updated_at=invitation.updated_at,
            cancel_reason=invitation.cancel_reason or "",
            customer_party_id=invitation.customer_party_id or "",
            agent_delegation_id=invitation.agent_delegation_id or "",
            email_folded=fold(email),
            agent_name_folded=fold(agent_name),
        ),
        run,
        now,
    )


def delegation_invitation_row(invitation, run: SyncRun | None = None, now=None):
    email = invitation.customer_email or ""
    return seen(
        IndexedDelegationInvitation(
            invitation_id=invitation.id,
            email=email,
            status=invitation.status or "",
            permissions=list(invitation.permissions),
            permission_set=permission_set(invitation.permissions),
            expires_at=invitation.expires_at,
            created_at=invitation.created_at,
            customer_party_id=invitation.customer_party_id or "",
            email_folded=fold(email),
        ),
        run,
        now,
    )


def agent_delegation_row(delegation, run: SyncRun | None = None, now: datetime | None = None):
    """Never reads the record's `revoked_at`: Natural documents no such field. Whether the row
    is revoked is decided by the sync from which lists showed it."""
    agent_name = delegation.agent_name or ""
    customer_name = delegation.delegating_party_name or ""
    return seen(
        IndexedAgentDelegation(
            agent_delegation_id=delegation.id,
            agent_id=delegation.agent_id or "",
            agent_name=agent_name,
            delegation_id=delegation.delegation_id or "",
            customer_party_id=delegation.delegating_party_id or "",
            customer_name=customer_name,
            permissions=list(delegation.permissions),
            permission_set=permission_set(delegation.permissions),
            per_transaction_cents=per_transaction_cents(delegation.limits),
            expires_at=delegation.expires_at,
            created_at=delegation.created_at,
            updated_at=delegation.updated_at,
            created_by=delegation.created_by or "",
            agent_name_folded=fold(agent_name),
            customer_name_folded=fold(customer_name),
        ),
        run,
        now,
    )


def seen(row, run: SyncRun | None, now: datetime | None):
    row.last_seen_at = now
    if run is not None:
        row.last_seen_run = run
    return row


def per_transaction(cents: int | None) -> Limits | None:
    return Limits(Money(cents), None, None) if cents is not None else None


def as_customer(row: IndexedCustomer) -> Customer:
    """A read-model row as the record Natural's customer list gives (what the row keeps of it)."""
    delegation = None
    if row.delegation_id:
        delegation = Delegation(
            id=row.delegation_id,
            status=row.delegation_status or None,
            permissions=tuple(row.permissions or ()),
            created_at=None,
        )
    agents = tuple(
        AgentRef(
            id=agent.get("id") or "",
            name=agent.get("name") or None,
            status=agent.get("status") or None,
            permissions=tuple(agent.get("permissions") or ()),
            limits=per_transaction(agent.get("per_transaction_cents")),
        )
        for agent in row.agents or ()
    )
    return Customer(
        id=row.party_id,
        name=row.name or None,
        email=row.email or None,
        created_at=row.created_at,
        delegation=delegation,
        agents=agents,
    )


def as_agent_invitation(row: IndexedAgentInvitation) -> AgentInvitation:
    """A read-model row as the record the live table presents (what the row keeps of it)."""
    return AgentInvitation(
        id=row.invitation_id,
        email=row.email or None,
        recipient_type=row.recipient_type or None,
        recipient_value=row.recipient_value or None,
        agent_id=row.agent_id or None,
        agent_name=row.agent_name or None,
        developer_name=None,
        permissions=tuple(row.permissions),
        limits=per_transaction(row.per_transaction_cents),
        status=row.status,
        effective_status=row.effective_status,
        expires_at=row.expires_at,
        accepted_at=None,
        declined_at=None,
        cancel_reason=row.cancel_reason or None,
        created_at=row.created_at,
        updated_at=row.updated_at,
        customer_party_id=row.customer_party_id or None,
        agent_delegation_id=row.agent_delegation_id or None,
    )


def as_delegation_invitation(row: IndexedDelegationInvitation) -> DelegationInvitation:
    """A read-model row as the record the live table presents."""
    return DelegationInvitation(
        id=row.invitation_id,
        customer_email=row.email or None,
        status=row.status,
        permissions=tuple(row.permissions),
        expires_at=row.expires_at,
        created_at=row.created_at,
        developer_party_id=None,
        customer_party_id=row.customer_party_id or None,
    )


def as_agent_delegation(row: IndexedAgentDelegation) -> AgentDelegation:
    """A read-model row as the record the live table presents, its state by the rules of
    delegations/revocation.py: active when a list without `include_revoked` showed it, revoked
    when a complete pass walked that list to its end without it, else unknown (a pass that
    has not finished has seen it only with `include_revoked`)."""
    if row.revoked:
        state = revocation.REVOKED
    elif row.listed_active_by is not None:
        state = revocation.ACTIVE
    else:
        state = revocation.UNKNOWN
    return AgentDelegation(
        id=row.agent_delegation_id,
        agent_id=row.agent_id or None,
        agent_name=row.agent_name or None,
        delegation_id=row.delegation_id or None,
        delegating_party_id=row.customer_party_id or None,
        delegating_party_name=row.customer_name or None,
        delegated_party_id=None,
        delegated_party_name=None,
        permissions=tuple(row.permissions),
        limits=per_transaction(row.per_transaction_cents),
        expires_at=row.expires_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by or None,
        revocation=state,
    )
