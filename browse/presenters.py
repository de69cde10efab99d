"""Display values for the browse tables, computed once in Python.

Each row becomes a plain dict of ready strings (money, relative times, badge classes, detail
URLs); the templates build every row's HTML from them with a handful of variable lookups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache, lru_cache
from urllib.parse import quote

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString

from natural.records import Money
from tables.badges import badge

SOON_HOURS = 48
_PLACEHOLDER = "ID-PLACEHOLDER"
_UNITS = (
    (365 * 86400, "year"),
    (30 * 86400, "month"),
    (7 * 86400, "week"),
    (86400, "day"),
    (3600, "hour"),
    (60, "minute"),
)


@cache
def _url_parts(name: str) -> tuple[str, str]:
    before, _, after = reverse(name, args=[_PLACEHOLDER]).partition(_PLACEHOLDER)
    if escape(before) != before or escape(after) != after:
        raise ValueError(f"the {name} route has characters HTML would escape")
    return before, after


def detail_url(name: str, object_id: str) -> str:
    """The detail URL of an object, by string formatting around one reversed URL. Nothing in
    it needs escaping in a page (our route, and the id percent-encoded), so it is marked so."""
    before, after = _url_parts(name)
    return SafeString(f"{before}{quote(object_id, safe='')}{after}")


def exact(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def stamp(moment: datetime) -> str:
    """The machine-readable moment of a `<time>`: ISO 8601 in UTC, with a `Z`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def relative(moment: datetime | None, now: datetime) -> str:
    """ "in 2 days" / "3 hours ago": the largest whole unit, never a fraction."""
    if moment is None:
        return ""
    seconds = (moment - now).total_seconds()
    size = abs(seconds)
    for unit_seconds, unit in _UNITS:
        if size >= unit_seconds:
            count = int(size // unit_seconds)
            text = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {text}" if seconds > 0 else f"{text} ago"
    return "in a moment" if seconds > 0 else "just now"


def moment(value: datetime | None, now: datetime) -> dict:
    """A moment's words, exact title and stamp, worked out here once (the `when` filter shows
    them; a 50-row table has a hundred)."""
    if value is None:
        return {"relative": "", "exact": "", "value": None}
    iso = stamp(value)  # 2026-01-11T12:00:00.000Z: the exact title is cut from it
    return {
        "relative": relative(value, now),
        "exact": f"{iso[:10]} {iso[11:16]} UTC",
        "stamp": iso,
        "value": value,
    }


def short(value: str | None, keep: int = 12) -> str:
    """A long id cut for a narrow cell; the full value goes in a title."""
    if not value:
        return "—"
    return value if len(value) <= keep + 1 else value[:keep] + "…"


@lru_cache(maxsize=64)
def _escaped(value: str) -> str:
    # For values from a handful (a recipient's type): escaped once, not once per row.
    return escape(value)


@lru_cache(maxsize=64)
def _quoted_back(path: str) -> str:
    # Every row of a page returns to the same page.
    return quote(path, safe="/")


def money(limits) -> str:
    amount = getattr(limits, "per_transaction", None) if limits else None
    # Made here from an integer (digits, `$`, `,`, `.`, `-`): nothing in it to escape.
    return SafeString(amount) if amount is not None else "—"


def permission_names(permissions: tuple) -> tuple[str, ...]:
    """Natural's permission names, escaped: a few combinations fill every table, so each
    combination is escaped once."""
    try:
        return _escaped_names(permissions)
    except TypeError:  # not hashable: something other than names came in the list
        return tuple(escape(permission) for permission in permissions)


@lru_cache(maxsize=256)
def _escaped_names(permissions: tuple) -> tuple[str, ...]:
    return tuple(escape(permission) for permission in permissions)


def agent_name(agent_id: str | None, name: str | None, agents: Mapping[str, str]) -> str:
    if name:
        return name
    return agents.get(agent_id or "", agent_id or "—")


def invitation_row(invitation, now: datetime, agents: Mapping[str, str], back: str = "") -> dict:
    """One invitation; `back` is the page a cancel confirmation returns to."""
    effective = invitation.effective_status or invitation.status
    customer_id = invitation.customer_party_id
    recipient = invitation.email or invitation.recipient_value or "—"
    pending = invitation.is_pending
    cancel_url = cancel_dialog_url = ""
    if pending:  # only a pending invitation can be canceled
        cancel = detail_url("invitation-cancel-confirm", invitation.id)
        cancel_query = f"next={_quoted_back(back)}&email={quote(recipient, safe='/')}"
        cancel_url, cancel_dialog_url = f"{cancel}?{cancel_query}", f"{cancel}?row=1&{cancel_query}"
    return {
        "id": invitation.id,
        # The selection checkbox's value: the id and the status it was shown with.
        "select": f"{invitation.id}:{(effective or 'UNKNOWN').upper()}",
        "select_label": f"the invitation to {recipient}",
        "pending": pending,
        "cancel_url": cancel_url,
        "cancel_dialog_url": cancel_dialog_url,
        "recipient": recipient,
        "recipient_type": _escaped(invitation.recipient_type or ""),
        "customer_url": detail_url("customer-detail", customer_id) if customer_id else "",
        "agent": agent_name(invitation.agent_id, invitation.agent_name, agents),
        "badge": badge(effective),
        "status_note": (
            f"marked {invitation.status}"
            if invitation.status and invitation.status != effective
            else ""
        ),
        "permissions": permission_names(invitation.permissions or ()),
        "limit": money(invitation.limits),
        "expires": moment(invitation.expires_at, now),
        "expires_soon": pending and invitation.expires_within(SOON_HOURS, now),
        "created": moment(invitation.created_at, now),
    }


def delegation_invitation_row(invitation, now: datetime) -> dict:
    customer_id = invitation.customer_party_id
    return {
        "id": invitation.id,
        "email": invitation.customer_email or "—",
        "customer_url": detail_url("customer-detail", customer_id) if customer_id else "",
        "badge": badge(invitation.status),
        "permissions": permission_names(invitation.permissions or ()),
        "expires": moment(invitation.expires_at, now),
        "created": moment(invitation.created_at, now),
    }


def customer_row(customer, now: datetime) -> dict:
    delegation = customer.delegation
    return {
        "id": customer.id,
        "name": customer.name or "—",
        "email": customer.email or "",
        "url": detail_url("customer-detail", customer.id),
        "delegation_badge": badge(delegation.status) if delegation else None,
        "permissions": delegation.permissions if delegation else (),
        "agents": [
            {
                "name": agent.name or agent.id,
                "limit": money(agent.limits),
                "badge": badge(agent.status),
                "inactive": (agent.status or "ACTIVE") != "ACTIVE",
            }
            for agent in customer.agents
        ],
        "created": moment(customer.created_at, now),
    }


def indexed_customer_row(customer, now: datetime) -> dict:
    """A customer from the local index, as the customers table shows one from Natural."""
    status = customer.delegation_status
    return {
        "id": customer.party_id,
        "name": customer.name or "—",
        "email": customer.email or "",
        "url": detail_url("customer-detail", customer.party_id),
        "delegation_badge": badge(status) if status else None,
        "permissions": permission_names(tuple(customer.permissions or ())),
        "agents": [
            {
                "name": agent.get("name") or agent.get("id") or "—",
                "limit": _cents(agent.get("per_transaction_cents")),
                "badge": badge(agent.get("status")),
                "inactive": (agent.get("status") or "ACTIVE") != "ACTIVE",
            }
            for agent in customer.agents or ()
        ],
        "created": moment(customer.created_at, now),
    }


def _cents(value: int | None) -> str:
    if value is None:
        return "no limit"
    return SafeString(Money(value))  # digits and money signs only


def agent_delegation_row(adl, now: datetime, agents: Mapping[str, str]) -> dict:
    return {
        "id": adl.id,
        "url": detail_url("delegation-detail", adl.id),
        "agent": agent_name(adl.agent_id, adl.agent_name, agents),
        "agent_id": adl.agent_id or "",
        "delegation_id": adl.delegation_id or "",
        "delegating": adl.delegating_party_name or adl.delegating_party_id or "—",
        "delegating_id": adl.delegating_party_id or "",
        "delegating_url": (
            detail_url("customer-detail", adl.delegating_party_id)
            if adl.delegating_party_id
            else ""
        ),
        "delegated": adl.delegated_party_name or adl.delegated_party_id or "—",
        "delegated_id": adl.delegated_party_id or "",
        "badge": badge(adl.revocation),
        "revoked": adl.revocation == "revoked",
        # Natural could not say whether this access is still active: never offered for revoke.
        "unknown": adl.revocation not in ("active", "revoked"),
        "permissions": adl.permissions or (),
        "limit": money(adl.limits),
        "expires": moment(adl.expires_at, now),
        "created": moment(adl.created_at, now),
        "created_by": adl.created_by or "—",
        "created_by_short": short(adl.created_by),
    }


def rows(present, items: Iterable, *args) -> list[dict]:
    return [present(item, *args) for item in items]


def limit_lines(limits) -> list[tuple[str, str]]:
    """Every limit that is set, as (label, formatted amount)."""
    if not limits:
        return []
    named = (
        ("Per transaction", limits.per_transaction),
        ("Daily", limits.daily),
        ("Monthly", limits.monthly),
    )
    return [(label, str(amount)) for label, amount in named if amount is not None]
