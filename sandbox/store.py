"""In-memory state of one developer account, and the state changes the API can cause.

Every read and write happens under `Store.lock` (the app takes it around each handler), so
the methods here do not lock themselves.
"""

import random
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sandbox import names
from sandbox.clock import Clock, to_epoch_ms
from sandbox.errors import conflict, not_found
from sandbox.ids import new_id
from sandbox.models import (
    Agent,
    AgentDelegation,
    AgentInvitation,
    Customer,
    Delegation,
    DelegationInvitation,
    Party,
    ProposedAgent,
    Recipient,
    User,
    sort_key,
)
from sandbox.pagination import SortedIndex
from sandbox.webhooks import PARTY_DELEGATION_GRANTED, PARTY_UPDATED

AGENT_DELEGATION_LIFETIME = timedelta(days=365)


def customer_sort_key(customer: Customer) -> tuple[int, str]:
    return to_epoch_ms(customer.party.created_at), customer.party.id


class Store:
    def __init__(self, clock: Clock, rng: random.Random) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        # An extension the docs do not show (see create_app); kept across resets.
        self.mark_revoked_delegations = False
        # Told of every change a webhook reports: (event type, customer party id). Kept across
        # resets; None sends nothing.
        self.notify: Callable[[str, str], None] | None = None
        self.clear(rng)

    def clear(self, rng: random.Random) -> None:
        """Empty every collection in place (callers may hold a reference to the store)."""
        # Ids and names minted at run time come from here, so a reset replays the same ids.
        self.rng = rng
        self.developer: Party | None = None
        self.users: list[User] = []
        self.agents: SortedIndex[Agent] = SortedIndex(sort_key)
        self.customers: SortedIndex[Customer] = SortedIndex(customer_sort_key)
        self.agent_delegations: SortedIndex[AgentDelegation] = SortedIndex(sort_key)
        self.invitations: SortedIndex[AgentInvitation] = SortedIndex(sort_key)
        self.delegation_invitations: SortedIndex[DelegationInvitation] = SortedIndex(sort_key)
        self.customer_id_by_email: dict[str, str] = {}
        self.active_agent_delegation: dict[tuple[str, str], str] = {}

    # Lookups

    @property
    def developer_party(self) -> Party:
        if self.developer is None:
            raise RuntimeError("the store has not been seeded")
        return self.developer

    def agent(self, agent_id: str) -> Agent:
        agent = self.agents.get(agent_id)
        if agent is None:
            raise not_found("agent_not_found", f"Agent {agent_id} not found.")
        return agent

    def customer(self, customer_id: str) -> Customer:
        customer = self.customers.get(customer_id)
        if customer is None:
            raise not_found(detail=f"Customer {customer_id} not found.")
        return customer

    def invitation(self, invitation_id: str) -> AgentInvitation:
        invitation = self.invitations.get(invitation_id)
        if invitation is None:
            raise not_found(detail=f"Invitation {invitation_id} not found.")
        return invitation

    def agent_delegation(self, agent_delegation_id: str) -> AgentDelegation:
        agent_delegation = self.agent_delegations.get(agent_delegation_id)
        if agent_delegation is None:
            raise not_found(
                "delegation_not_found", f"Agent delegation {agent_delegation_id} not found."
            )
        return agent_delegation

    def active_agent_delegations_of(self, customer: Customer) -> list[AgentDelegation]:
        found = (self.agent_delegations.get(i) for i in customer.agent_delegation_ids)
        return [adl for adl in found if adl is not None and not adl.is_revoked]

    def customer_by_email(self, email: str) -> Customer | None:
        customer_id = self.customer_id_by_email.get(email.lower())
        return self.customers.get(customer_id) if customer_id else None

    # Writes used by the seed and by the API

    def add_customer(self, customer: Customer) -> None:
        self.customers.add(customer)
        self._index_customer(customer)

    def load_customers(self, customers: list[Customer]) -> None:
        self.customers.load(customers)
        for customer in customers:
            self._index_customer(customer)

    def _index_customer(self, customer: Customer) -> None:
        if customer.party.email:
            self.customer_id_by_email.setdefault(customer.party.email.lower(), customer.party.id)

    def link_agent_delegation(self, agent_delegation: AgentDelegation) -> None:
        """Attach an agent delegation (already in the index) to its customer."""
        customer = self.customers.get(agent_delegation.customer_id)
        if customer is None:
            raise RuntimeError(f"unknown customer {agent_delegation.customer_id}")
        customer.agent_delegation_ids.append(agent_delegation.id)
        if not agent_delegation.is_revoked:
            pair = (agent_delegation.agent_id, agent_delegation.customer_id)
            self.active_agent_delegation[pair] = agent_delegation.id

    def create_invitations(
        self,
        agent: Agent,
        recipients: list[Recipient],
        permissions: list[str],
        per_transaction_limit: int | None,
        expires_at: datetime,
    ) -> list[AgentInvitation]:
        now = self.clock.now()
        created = []
        for recipient in recipients:
            invitation = AgentInvitation(
                id=new_id("adi", self.rng),
                agent_id=agent.id,
                recipient=recipient,
                permissions=list(permissions),
                per_transaction_limit=per_transaction_limit,
                status="PENDING",
                expires_at=expires_at,
                created_at=now,
                updated_at=now,
                customer_id=recipient.value if recipient.type == "party_id" else None,
            )
            self.invitations.add(invitation)
            created.append(invitation)
            self._party_changed(PARTY_UPDATED, invitation)
        return created

    def _require_pending(self, invitation: AgentInvitation, action: str) -> datetime:
        now = self.clock.now()
        effective = invitation.effective_status(now)
        if effective != "PENDING":
            raise conflict(f"Cannot {action} invitation {invitation.id}: it is {effective}.")
        return now

    def accept_invitation(self, invitation: AgentInvitation) -> AgentDelegation:
        """Consent as the customer would: customer, delegation and agent delegation appear."""
        now = self._require_pending(invitation, "accept")
        customer = self._customer_for(invitation.recipient, invitation.customer_id, now)
        delegation = customer.delegation
        for permission in invitation.permissions:
            if permission not in delegation.permissions:
                delegation.permissions.append(permission)
        pair = (invitation.agent_id, customer.party.id)
        existing_id = self.active_agent_delegation.get(pair)
        if existing_id is not None:
            agent_delegation = self.agent_delegations.get(existing_id)
            assert agent_delegation is not None
            agent_delegation.permissions = list(invitation.permissions)
            agent_delegation.per_transaction_limit = invitation.per_transaction_limit
            agent_delegation.updated_at = now
        else:
            agent_delegation = AgentDelegation(
                id=new_id("adl", self.rng),
                delegation_id=delegation.id,
                agent_id=invitation.agent_id,
                customer_id=customer.party.id,
                permissions=list(invitation.permissions),
                per_transaction_limit=invitation.per_transaction_limit,
                expires_at=now + AGENT_DELEGATION_LIFETIME,
                created_at=now,
                created_by=self.users[0].id,
                updated_at=now,
            )
            self.agent_delegations.add(agent_delegation)
            self.link_agent_delegation(agent_delegation)
        invitation.status = "ACCEPTED"
        invitation.accepted_at = now
        invitation.updated_at = now
        invitation.customer_id = customer.party.id
        invitation.agent_delegation_id = agent_delegation.id
        self._changed(PARTY_DELEGATION_GRANTED, customer.party.id)
        return agent_delegation

    def _customer_for(
        self, recipient: Recipient, customer_id: str | None, now: datetime
    ) -> Customer:
        if customer_id is not None:
            return self.customer(customer_id)
        if recipient.type == "email":
            existing = self.customer_by_email(recipient.value)
            if existing is not None:
                return existing
        name = names.person_name(self.rng)
        email = recipient.value if recipient.type == "email" else names.email_for(name, self.rng)
        party = Party(id=new_id("pty", self.rng), name=name, email=email, created_at=now)
        delegation = Delegation(
            id=new_id("dlg", self.rng),
            customer_id=party.id,
            permissions=[],
            status="ACTIVE",
            created_at=now,
        )
        customer = Customer(party=party, delegation=delegation)
        self.add_customer(customer)
        return customer

    def decline_invitation(self, invitation: AgentInvitation) -> None:
        now = self._require_pending(invitation, "decline")
        invitation.status = "DECLINED"
        invitation.declined_at = now
        invitation.updated_at = now
        self._party_changed(PARTY_UPDATED, invitation)

    def expire_invitation(self, invitation: AgentInvitation) -> None:
        # A pending invitation past its expiresAt may still be expired explicitly.
        if invitation.status != "PENDING":
            raise conflict(f"Cannot expire invitation {invitation.id}: it is {invitation.status}.")
        now = self.clock.now()
        invitation.status = "EXPIRED"
        invitation.expires_at = min(invitation.expires_at, now)
        invitation.updated_at = now
        self._party_changed(PARTY_UPDATED, invitation)

    def cancel_invitation(self, invitation: AgentInvitation) -> None:
        now = self._require_pending(invitation, "cancel")
        invitation.status = "CANCELED"
        invitation.cancel_reason = "DEVELOPER_REVOKED"
        invitation.updated_at = now
        self._party_changed(PARTY_UPDATED, invitation)

    def revoke_agent_access(self, agent: Agent, customer_id: str) -> AgentDelegation:
        agent_delegation_id = self.active_agent_delegation.pop((agent.id, customer_id), None)
        if agent_delegation_id is None:
            raise not_found(
                detail=f"Customer {customer_id} has no active access for agent {agent.id}."
            )
        agent_delegation = self.agent_delegations.get(agent_delegation_id)
        assert agent_delegation is not None
        now = self.clock.now()
        agent_delegation.revoked_at = now
        agent_delegation.updated_at = now
        self._changed(PARTY_UPDATED, customer_id)
        return agent_delegation

    # Webhooks

    def _changed(self, event_type: str, customer_id: str) -> None:
        if self.notify is not None:
            self.notify(event_type, customer_id)

    def _party_changed(self, event_type: str, invitation: AgentInvitation) -> None:
        """An invitation changed: an event only when its recipient is already a customer (a
        party Natural can name); invitations to anyone else send none."""
        customer_id = invitation.customer_id
        if customer_id is None and invitation.recipient.type == "email":
            existing = self.customer_by_email(invitation.recipient.value)
            customer_id = existing.party.id if existing else None
        if customer_id is not None:
            self._changed(event_type, customer_id)

    def create_delegation_invitation(
        self,
        customer_email: str,
        permissions: list[str],
        proposed_agents: list[ProposedAgent],
        expires_in_days: int,
    ) -> DelegationInvitation:
        now = self.clock.now()
        invitation = DelegationInvitation(
            id=new_id("din", self.rng),
            customer_email=customer_email,
            permissions=list(permissions),
            proposed_agents=proposed_agents,
            status="PENDING",
            expires_at=now + timedelta(days=expires_in_days),
            created_at=now,
        )
        self.delegation_invitations.add(invitation)
        return invitation
