"""The sandbox's records. Plain mutable dataclasses, changed only under the store's lock."""

from dataclasses import dataclass, field
from datetime import datetime

from sandbox.clock import to_epoch_ms

PERMISSIONS = ("payments.create", "payments.read", "wallets.read", "party.read")
INVITATION_STATUSES = ("PENDING", "ACCEPTED", "DECLINED", "EXPIRED", "CANCELED")
DELEGATION_INVITATION_STATUSES = ("PENDING", "ACCEPTED", "REVOKED", "EXPIRED", "DECLINED")
RECIPIENT_TYPES = ("email", "phone", "party_id")


@dataclass(slots=True)
class Party:
    id: str
    name: str
    email: str | None
    created_at: datetime


@dataclass(slots=True)
class User:
    id: str
    name: str


@dataclass(slots=True)
class Agent:
    id: str
    name: str
    description: str | None
    status: str
    per_transaction_limit: int | None
    created_at: datetime
    created_by: str
    updated_at: datetime


@dataclass(slots=True)
class Delegation:
    """The `dlg_` grant between a customer (delegating) and the developer (delegated)."""

    id: str
    customer_id: str
    permissions: list[str]
    status: str
    created_at: datetime


@dataclass(slots=True)
class AgentDelegation:
    """The `adl_` link between one agent and a customer's delegation."""

    id: str
    delegation_id: str
    agent_id: str
    customer_id: str
    permissions: list[str]
    per_transaction_limit: int | None
    expires_at: datetime | None
    created_at: datetime
    created_by: str
    updated_at: datetime
    revoked_at: datetime | None = None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(slots=True)
class Recipient:
    type: str
    value: str

    def to_json(self) -> dict[str, str]:
        return {"type": self.type, "value": self.value}


@dataclass(slots=True)
class AgentInvitation:
    """An `adi_` invitation of one recipient to one agent."""

    id: str
    agent_id: str
    recipient: Recipient
    permissions: list[str]
    per_transaction_limit: int | None
    status: str
    expires_at: datetime
    created_at: datetime
    updated_at: datetime
    accepted_at: datetime | None = None
    declined_at: datetime | None = None
    cancel_reason: str | None = None
    customer_id: str | None = None
    agent_delegation_id: str | None = None

    def effective_status(self, now: datetime) -> str:
        if self.status == "PENDING" and now >= self.expires_at:
            return "EXPIRED"
        return self.status


@dataclass(slots=True)
class ProposedAgent:
    agent_id: str
    permissions: list[str]
    limits: dict[str, int | None] | None


@dataclass(slots=True)
class DelegationInvitation:
    """A `din_` invitation (the older, snake_case model) for a customer to delegate access."""

    id: str
    customer_email: str
    permissions: list[str]
    proposed_agents: list[ProposedAgent]
    status: str
    expires_at: datetime
    created_at: datetime
    customer_id: str | None = None

    def effective_status(self, now: datetime) -> str:
        if self.status == "PENDING" and now >= self.expires_at:
            return "EXPIRED"
        return self.status


@dataclass(slots=True)
class Customer:
    """A customer party together with its delegation and its agent delegations (newest last)."""

    party: Party
    delegation: Delegation
    agent_delegation_ids: list[str] = field(default_factory=list)


def sort_key(
    item: Party | Agent | AgentDelegation | AgentInvitation | DelegationInvitation,
) -> tuple[int, str]:
    return to_epoch_ms(item.created_at), item.id
