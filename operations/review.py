"""What makes a delegation worth a manager's look, decided within one page from Natural.

Natural filters delegations only by agent, party and delegation, so the review criteria run
here, over the page just read; the queue says so rather than pretend to search everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

PAYMENTS_CREATE = "payments.create"
# What the queue highlights when the manager has not narrowed it down.
DEFAULT_EXPIRING_DAYS = 14
DEFAULT_HIGH_LIMIT = Decimal("1000")
DEFAULT_RECENT_DAYS = 7


@dataclass(frozen=True)
class Criteria:
    expiring_within_days: int | None = None
    min_per_transaction: Decimal | None = None
    payments_create: bool = False
    created_within_days: int | None = None

    @classmethod
    def from_form(cls, cleaned: dict) -> Criteria:
        return cls(
            expiring_within_days=cleaned.get("expiring_within_days"),
            min_per_transaction=cleaned.get("min_per_transaction"),
            payments_create=bool(cleaned.get("payments_create")),
            created_within_days=cleaned.get("created_within_days"),
        )

    @property
    def any(self) -> bool:
        return bool(
            self.expiring_within_days
            or self.min_per_transaction is not None
            or self.payments_create
            or self.created_within_days
        )


def per_transaction_dollars(delegation) -> Decimal | None:
    limits = delegation.limits
    if limits is None or limits.per_transaction is None:
        return None
    return limits.per_transaction.dollars


def expires_within(delegation, days: int, now: datetime) -> bool:
    expires_at = delegation.expires_at
    return expires_at is not None and now <= expires_at <= now + timedelta(days=days)


def created_within(delegation, days: int, now: datetime) -> bool:
    return delegation.created_at is not None and delegation.created_at >= now - timedelta(days=days)


def matches(delegation, criteria: Criteria, now: datetime) -> bool:
    if criteria.expiring_within_days and not expires_within(
        delegation, criteria.expiring_within_days, now
    ):
        return False
    if criteria.min_per_transaction is not None:
        dollars = per_transaction_dollars(delegation)
        if dollars is None or dollars < criteria.min_per_transaction:
            return False
    if criteria.payments_create and PAYMENTS_CREATE not in delegation.permissions:
        return False
    return not (
        criteria.created_within_days
        and not created_within(delegation, criteria.created_within_days, now)
    )


def attention(delegation, criteria: Criteria, now: datetime) -> list[str]:
    """Why this row deserves a look, using the manager's thresholds or sensible defaults."""
    expiring_days = criteria.expiring_within_days or DEFAULT_EXPIRING_DAYS
    high_limit = (
        criteria.min_per_transaction
        if criteria.min_per_transaction is not None
        else DEFAULT_HIGH_LIMIT
    )
    recent_days = criteria.created_within_days or DEFAULT_RECENT_DAYS
    reasons = []
    if expires_within(delegation, expiring_days, now):
        reasons.append(f"Expires within {expiring_days} days")
    dollars = per_transaction_dollars(delegation)
    if dollars is not None and dollars >= high_limit:
        reasons.append("High per-transaction limit")
    if PAYMENTS_CREATE in delegation.permissions:
        reasons.append("Can create payments")
    if created_within(delegation, recent_days, now):
        reasons.append(f"Created within {recent_days} days")
    return reasons
