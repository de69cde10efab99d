"""The columns of each CSV export: raw values (ISO times, cents as dollars), not display text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

Column = tuple[str, Callable[[object], object]]


def iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def per_transaction(limits) -> str:
    amount = getattr(limits, "per_transaction", None) if limits else None
    return str(amount.dollars) if amount is not None else ""


def joined(values) -> str:
    return " ".join(values or ())


INVITATION_COLUMNS: tuple[Column, ...] = (
    ("id", lambda i: i.id),
    ("email", lambda i: i.email),
    ("recipient_type", lambda i: i.recipient_type),
    ("recipient_value", lambda i: i.recipient_value),
    ("agent_id", lambda i: i.agent_id),
    ("agent_name", lambda i: i.agent_name),
    ("status", lambda i: i.status),
    ("effective_status", lambda i: i.effective_status),
    ("permissions", lambda i: joined(i.permissions)),
    ("per_transaction_limit_usd", lambda i: per_transaction(i.limits)),
    ("expires_at", lambda i: iso(i.expires_at)),
    ("created_at", lambda i: iso(i.created_at)),
    ("customer_party_id", lambda i: i.customer_party_id),
)

DELEGATION_INVITATION_COLUMNS: tuple[Column, ...] = (
    ("id", lambda d: d.id),
    ("customer_email", lambda d: d.customer_email),
    ("status", lambda d: d.status),
    ("permissions", lambda d: joined(d.permissions)),
    ("expires_at", lambda d: iso(d.expires_at)),
    ("created_at", lambda d: iso(d.created_at)),
    ("customer_party_id", lambda d: d.customer_party_id),
)

CUSTOMER_COLUMNS: tuple[Column, ...] = (
    ("id", lambda c: c.id),
    ("name", lambda c: c.name),
    ("email", lambda c: c.email),
    ("delegation_id", lambda c: c.delegation.id if c.delegation else ""),
    ("delegation_status", lambda c: c.delegation.status if c.delegation else ""),
    ("permissions", lambda c: joined(c.delegation.permissions) if c.delegation else ""),
    (
        "agents",
        lambda c: "; ".join(
            f"{a.name} ({per_transaction(a.limits) or 'no limit'})" for a in c.agents
        ),
    ),
    ("created_at", lambda c: iso(c.created_at)),
)

AGENT_DELEGATION_COLUMNS: tuple[Column, ...] = (
    ("id", lambda a: a.id),
    ("agent_id", lambda a: a.agent_id),
    ("agent_name", lambda a: a.agent_name),
    ("delegation_id", lambda a: a.delegation_id),
    ("delegating_party_id", lambda a: a.delegating_party_id),
    ("delegating_party_name", lambda a: a.delegating_party_name),
    ("delegated_party_id", lambda a: a.delegated_party_id),
    ("delegated_party_name", lambda a: a.delegated_party_name),
    ("permissions", lambda a: joined(a.permissions)),
    ("per_transaction_limit_usd", lambda a: per_transaction(a.limits)),
    ("expires_at", lambda a: iso(a.expires_at)),
    ("created_at", lambda a: iso(a.created_at)),
    ("created_by", lambda a: a.created_by),
    ("status", lambda a: a.revocation),
)
