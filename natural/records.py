"""What the rest of the app sees of Natural: frozen records parsed from either casing of the API.

Natural's docs exist in two generations: camelCase (`hasMore`, `delegatorParty`, `expiresAt`) and
snake_case (`has_more`, `delegating_party`, `expires_at`). Every parser here accepts both, ignores
fields it does not know and tolerates the nulls the docs show, so no view ever reads raw JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

Json = Mapping[str, Any]

_CAMEL_HUMP = re.compile(r"(?<!^)(?=[A-Z])")

# The statuses Natural documents for each kind of invitation (filters offer exactly these).
INVITATION_STATUSES = ("PENDING", "ACCEPTED", "DECLINED", "EXPIRED", "CANCELED")
DELEGATION_INVITATION_STATUSES = ("PENDING", "ACCEPTED", "REVOKED", "EXPIRED", "DECLINED")
# The permissions Natural documents for delegations and invitations (natural-api.md 1.9).
DELEGATION_PERMISSIONS = (
    "payments.read",
    "payments.create",
    "external_accounts.create",
    "wallets.read",
    "wallets.update",
    "party.read",
    "party.update",
)


@dataclass(frozen=True, order=True)
class Money:
    """An amount in US cents, formatted for people as `$1,000.00`."""

    cents: int

    @property
    def dollars(self) -> Decimal:
        """The amount in dollars, exact."""
        return Decimal(self.cents) / 100

    def __str__(self) -> str:
        sign = "-" if self.cents < 0 else ""
        dollars, cents = divmod(abs(self.cents), 100)
        return f"{sign}${dollars:,}.{cents:02d}"


@dataclass(frozen=True)
class Limits:
    per_transaction: Money | None
    daily: Money | None
    monthly: Money | None


@dataclass(frozen=True)
class Page[T]:
    items: tuple[T, ...]
    next_cursor: str | None
    has_more: bool

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class ApiError:
    code: str
    detail: str
    status: int | None
    pointer: str | None
    parameter: str | None
    header: str | None
    support_id: str | None
    reason: str | None = None


@dataclass(frozen=True)
class Agent:
    id: str
    name: str
    description: str | None
    status: str
    limits: Limits | None
    created_at: datetime | None


@dataclass(frozen=True)
class AgentRef:
    id: str
    name: str | None
    status: str | None
    permissions: tuple[str, ...]
    limits: Limits | None


@dataclass(frozen=True)
class Delegation:
    id: str
    status: str | None
    permissions: tuple[str, ...]
    created_at: datetime | None


@dataclass(frozen=True)
class Customer:
    id: str
    name: str | None
    email: str | None
    created_at: datetime | None
    delegation: Delegation | None
    agents: tuple[AgentRef, ...]


@dataclass(frozen=True)
class AgentInvitation:
    id: str
    email: str | None
    recipient_type: str | None
    recipient_value: str | None
    agent_id: str | None
    agent_name: str | None
    developer_name: str | None
    permissions: tuple[str, ...]
    limits: Limits | None
    status: str
    effective_status: str
    expires_at: datetime | None
    accepted_at: datetime | None
    declined_at: datetime | None
    cancel_reason: str | None
    created_at: datetime | None
    updated_at: datetime | None
    customer_party_id: str | None
    agent_delegation_id: str | None

    @property
    def is_pending(self) -> bool:
        """Still waiting for the customer (the API's effective status, expiry included)."""
        return self.effective_status == "PENDING"

    def expires_within(self, hours: float, now: datetime) -> bool:
        """Pending and expiring between now and `hours` from now."""
        if not self.is_pending or self.expires_at is None:
            return False
        return now <= self.expires_at <= now + timedelta(hours=hours)


@dataclass(frozen=True)
class WrittenResource:
    """One resource a write answered with: what it created, canceled or revoked."""

    id: str
    type: str
    recipient_type: str | None
    recipient_value: str | None
    status: str | None


@dataclass(frozen=True)
class WriteResult:
    """A write's answer: its resources, undelivered emails, and a bulk cancel's count."""

    resources: tuple[WrittenResource, ...]
    email_failures: tuple[dict, ...]
    revoked_count: int | None


@dataclass(frozen=True)
class DelegationInvitation:
    id: str
    customer_email: str | None
    status: str
    permissions: tuple[str, ...]
    expires_at: datetime | None
    created_at: datetime | None
    developer_party_id: str | None
    customer_party_id: str | None


@dataclass(frozen=True)
class AgentDelegation:
    id: str
    agent_id: str | None
    agent_name: str | None
    delegation_id: str | None
    delegating_party_id: str | None
    delegating_party_name: str | None
    delegated_party_id: str | None
    delegated_party_name: str | None
    permissions: tuple[str, ...]
    limits: Limits | None
    expires_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None
    created_by: str | None
    # Natural shows no status on agent delegations (see delegations/revocation.py): "active"
    # when read from a list without include_revoked, else what could be learned, else unknown.
    revocation: str = "unknown"

    @property
    def is_revoked(self) -> bool:
        return self.revocation == "revoked"


# --- field access across both casings -------------------------------------------------------


def snake(name: str) -> str:
    """`delegatorPartyId` -> `delegator_party_id`."""
    return _CAMEL_HUMP.sub("_", name).lower()


@cache
def _spellings(names: tuple[str, ...]) -> tuple[str, ...]:
    """Each name as written, then in snake_case: worked out once per call site, not per row."""
    return tuple(dict.fromkeys(key for name in names for key in (name, snake(name))))


def _is_mapping(value: Any) -> bool:
    # JSON objects are dicts: the abstract check is only for the rare other mapping.
    return type(value) is dict or (value is not None and isinstance(value, Mapping))


def field(source: Json | None, *names: str) -> Any:
    """The first of `names` present in `source`, each tried as written and in snake_case."""
    if not source:
        return None
    # As written first, without looking the spellings up: Natural's own casing is the common
    # case, and a page of 50 rows asks a thousand fields.
    for name in names:
        if name in source:
            return source[name]
    for key in _spellings(names):
        if key in source:
            return source[key]
    return None


def related_id(resource: Json, *names: str) -> str | None:
    """The id a relationship points at: `{"data": {"id"}}`, `{"data": null}` or a bare null."""
    relation = field(resource.get("relationships"), *names)
    if not _is_mapping(relation):
        return None
    data = relation.get("data")
    return data.get("id") if _is_mapping(data) else None


def related_data(resource: Json, *names: str) -> Any:
    relation = field(resource.get("relationships"), *names)
    return relation.get("data") if _is_mapping(relation) else None


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 timestamp (seconds or milliseconds, `Z` or offset) as an aware UTC datetime."""
    if value is None or value == "":
        return None
    parsed = datetime.fromisoformat(value if type(value) is str else str(value))
    if parsed.tzinfo is UTC:  # what a `Z` parses to
        return parsed
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_money(value: Any) -> Money | None:
    return None if value is None else Money(int(value))


def parse_limits(value: Any) -> Limits | None:
    """Limits in cents; None when the API says none are set (null or every amount null)."""
    if not _is_mapping(value):
        return None
    per_transaction = parse_money(field(value, "perTransaction"))
    daily = parse_money(field(value, "daily", "perDay"))
    monthly = parse_money(field(value, "monthly", "perMonth"))
    if per_transaction is None and daily is None and monthly is None:
        return None
    return Limits(per_transaction=per_transaction, daily=daily, monthly=monthly)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(value or ())


def _attributes(resource: Json) -> Json:
    return resource.get("attributes") or {}


# --- resources -------------------------------------------------------------------------------


def parse_agent(resource: Json) -> Agent:
    """One agent (`GET /agents`)."""
    attributes = _attributes(resource)
    return Agent(
        id=resource["id"],
        name=field(attributes, "name") or resource["id"],
        description=field(attributes, "description"),
        status=field(attributes, "status") or "ACTIVE",
        limits=parse_limits(field(attributes, "limits")),
        created_at=parse_datetime(field(attributes, "createdAt")),
    )


def _parse_agent_ref(resource: Json) -> AgentRef:
    attributes = _attributes(resource)
    return AgentRef(
        id=resource["id"],
        name=field(attributes, "name"),
        status=field(attributes, "status"),
        permissions=_strings(field(attributes, "permissions")),
        limits=parse_limits(field(attributes, "limits")),
    )


def _parse_delegation(resource: Any) -> Delegation | None:
    if not isinstance(resource, Mapping):
        return None
    attributes = _attributes(resource)
    return Delegation(
        id=resource["id"],
        status=field(attributes, "status"),
        permissions=_strings(field(attributes, "permissions")),
        created_at=parse_datetime(field(attributes, "createdAt")),
    )


def parse_customer(resource: Json) -> Customer:
    """One customer (`GET /customers`, `GET /customers/{id}`)."""
    attributes = _attributes(resource)
    party = field(attributes, "party") or {}
    agents = related_data(resource, "agents") or ()
    return Customer(
        id=resource["id"],
        name=field(attributes, "name", "displayName", "legalName") or field(party, "name"),
        email=field(attributes, "email") or field(party, "email"),
        created_at=parse_datetime(field(attributes, "createdAt")),
        delegation=_parse_delegation(related_data(resource, "delegation")),
        agents=tuple(_parse_agent_ref(agent) for agent in agents),
    )


def _recipient(attributes: Json) -> tuple[str | None, str | None]:
    recipient = field(attributes, "recipient")
    if not _is_mapping(recipient):
        return None, None
    return recipient.get("type"), recipient.get("value")


def parse_agent_invitation(resource: Json) -> AgentInvitation:
    """One adi_ invitation (`GET /agents/invitations`, and the cancel responses)."""
    attributes = _attributes(resource)
    recipient_type, recipient_value = _recipient(attributes)
    status = field(attributes, "status")
    agent = related_data(resource, "agent")
    return AgentInvitation(
        id=resource["id"],
        email=field(attributes, "email"),
        recipient_type=recipient_type,
        recipient_value=recipient_value,
        agent_id=agent.get("id") if _is_mapping(agent) else None,
        agent_name=field(attributes, "agentName")
        or (field(_attributes(agent), "name") if _is_mapping(agent) else None),
        developer_name=field(attributes, "developerName"),
        permissions=_strings(field(attributes, "permissions")),
        limits=parse_limits(field(attributes, "limits")),
        status=status,
        effective_status=field(attributes, "effectiveStatus") or status,
        expires_at=parse_datetime(field(attributes, "expiresAt")),
        accepted_at=parse_datetime(field(attributes, "acceptedAt")),
        declined_at=parse_datetime(field(attributes, "declinedAt")),
        cancel_reason=field(attributes, "cancelReason"),
        created_at=parse_datetime(field(attributes, "createdAt")),
        updated_at=parse_datetime(field(attributes, "updatedAt")),
        customer_party_id=related_id(resource, "customerParty"),
        agent_delegation_id=related_id(resource, "agentDelegation"),
    )


def parse_write_result(payload: Any) -> WriteResult:
    """Any write's answer, camelCase or snake_case: `data` as one resource or a list, the
    batch invite's `meta.emailFailures`, the bulk cancel's bare `revokedCount`."""
    document = payload if isinstance(payload, Mapping) else {}
    data = document.get("data")
    items = data if isinstance(data, list) else [data] if isinstance(data, Mapping) else []
    resources = []
    for item in items:
        if not isinstance(item, Mapping) or not item.get("id"):
            continue
        attributes = _attributes(item)
        recipient_type, recipient_value = _recipient(attributes)
        resources.append(
            WrittenResource(
                id=item["id"],
                type=item.get("type") or "",
                recipient_type=recipient_type,
                recipient_value=recipient_value,
                status=field(attributes, "status"),
            )
        )
    failures = field(document.get("meta"), "emailFailures") or ()
    count = field(document, "revokedCount")
    return WriteResult(
        resources=tuple(resources),
        email_failures=tuple(
            {
                "invitationId": field(item, "invitationId"),
                "reason": field(item, "reason"),
            }
            for item in failures
            if isinstance(item, Mapping)
        ),
        revoked_count=count if isinstance(count, int) else None,
    )


def parse_delegation_invitation(resource: Json) -> DelegationInvitation:
    """One din_ invitation (`/agent-delegation-invitations`)."""
    attributes = _attributes(resource)
    return DelegationInvitation(
        id=resource["id"],
        customer_email=field(attributes, "customerEmail", "email"),
        status=field(attributes, "status"),
        permissions=_strings(field(attributes, "permissions")),
        expires_at=parse_datetime(field(attributes, "expiresAt")),
        created_at=parse_datetime(field(attributes, "createdAt")),
        developer_party_id=related_id(resource, "delegateeParty", "delegatedParty"),
        customer_party_id=related_id(resource, "delegatorParty", "delegatingParty"),
    )


def parse_agent_delegation(resource: Json) -> AgentDelegation:
    """One adl_ agent delegation (`/agent-delegations`)."""
    attributes = _attributes(resource)
    return AgentDelegation(
        id=resource["id"],
        agent_id=related_id(resource, "agent"),
        agent_name=field(attributes, "agentName"),
        delegation_id=related_id(resource, "delegation"),
        delegating_party_id=related_id(resource, "delegatorParty", "delegatingParty"),
        delegating_party_name=field(attributes, "delegatorPartyName", "delegatingPartyName"),
        delegated_party_id=related_id(resource, "delegateeParty", "delegatedParty"),
        delegated_party_name=field(attributes, "delegateePartyName", "delegatedPartyName"),
        permissions=_strings(field(attributes, "permissions")),
        limits=parse_limits(field(attributes, "limits")),
        expires_at=parse_datetime(field(attributes, "expiresAt")),
        created_at=parse_datetime(field(attributes, "createdAt")),
        updated_at=parse_datetime(field(attributes, "updatedAt")),
        created_by=field(attributes, "createdBy"),
    )


# --- envelopes -------------------------------------------------------------------------------


def parse_one[T](payload: Json, parse_item: Callable[[Json], T]) -> T:
    """The record in a single-resource response (`{"data": {...}}`)."""
    return parse_item(payload["data"])


def parse_page[T](payload: Json, parse_item: Callable[[Json], T]) -> Page[T]:
    """A list response: items plus the cursor from `meta.pagination` in either casing."""
    meta = payload.get("meta") or {}
    pagination = field(meta, "pagination") or meta
    next_cursor = field(pagination, "nextCursor") or None
    has_more = bool(field(pagination, "hasMore")) and next_cursor is not None
    return Page(
        items=tuple(parse_item(item) for item in payload.get("data") or ()),
        next_cursor=next_cursor if has_more else None,
        has_more=has_more,
    )


def parse_errors(payload: Any) -> tuple[ApiError, ...]:
    """The `errors` list of an error response; empty when the body is not the documented shape."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("errors"), list):
        return ()
    return tuple(_parse_error(item) for item in payload["errors"] if isinstance(item, Mapping))


def _parse_error(item: Json) -> ApiError:
    source = item.get("source") or {}
    meta = item.get("meta") or {}
    status = item.get("status")
    return ApiError(
        code=str(item.get("code") or "unknown"),
        detail=str(item.get("detail") or item.get("title") or ""),
        status=int(status) if str(status or "").isdigit() else None,
        pointer=source.get("pointer"),
        parameter=source.get("parameter"),
        header=source.get("header"),
        support_id=field(meta, "supportId"),
        reason=field(meta, "reason"),
    )
