"""How each write's effect is looked up in Natural (its declaration names one finder): created
invitations by agent and recipient or by customer email, among those made since the operation
started; a revoked access by the pair; canceled invitations by their status. Each answers
(found, missing)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from natural import reads
from operations.models import Operation
from operations.pending import invitation_identities

# Natural's clock and ours may differ a little; look slightly before the operation began.
CLOCK_MARGIN = timedelta(minutes=10)
MAX_PAGES = 20
PAGE_SIZE = 100

Finder = Callable[[Operation], tuple[list[dict[str, Any]], list[str]]]


def _since(operation: Operation):
    return (operation.first_sent_at or operation.created_at) - CLOCK_MARGIN


def find_customer_invitations(operation: Operation):
    wanted = {_identity(r["type"], r["value"]): r for r in operation.target.get("recipients", [])}
    found: dict[tuple[str, str], dict[str, Any]] = {}
    since = _since(operation)
    pages = reads.iter_pages(
        reads.list_agent_invitations,
        max_pages=MAX_PAGES,
        agent_id=operation.target.get("agent_id"),
        limit=100,
    )
    for page in pages:
        for invitation in page.items:
            if invitation.created_at is None or invitation.created_at < since:
                continue
            for identity in invitation_identities(invitation):
                if identity in wanted and identity not in found:
                    found[identity] = {
                        "id": invitation.id,
                        "recipient": wanted[identity],
                        "status": invitation.status,
                    }
        oldest = page.items[-1].created_at if page.items else None
        if oldest is not None and oldest < since:
            break
    missing = [r["value"] for key, r in wanted.items() if key not in found]
    return list(found.values()), missing


def find_delegation_invitations(operation: Operation):
    email = (operation.target.get("customer_email") or "").lower()
    since = _since(operation)
    found = []
    pages = reads.iter_pages(reads.list_delegation_invitations, max_pages=MAX_PAGES, limit=100)
    for page in pages:
        for invitation in page.items:
            if invitation.customer_email.lower() == email and invitation.created_at >= since:
                found.append({"id": invitation.id, "status": invitation.status})
        oldest = page.items[-1].created_at if page.items else None
        if oldest is not None and oldest < since:
            break
    return found, ([] if found else [email])


def _identity(kind: str, value: str) -> tuple[str, str]:
    return (kind, value.lower() if kind == "email" else value)


def find_revoked_access(operation: Operation):
    target = operation.target
    page = reads.list_agent_delegations(
        agent_id=target["agent_id"], delegating_party_id=target["customer_id"], limit=PAGE_SIZE
    )
    still_active = any(item.id == target.get("delegation_id") for item in page.items)
    if still_active:
        return [], [target.get("delegation_id")]
    return [{"id": target.get("delegation_id"), "status": "REVOKED"}], []


def invitation_statuses(wanted: set[str]) -> dict[str, str]:
    """Natural has no get-one for invitations: walk the list until every id is seen."""
    statuses: dict[str, str] = {}
    pages = reads.iter_pages(reads.list_agent_invitations, max_pages=MAX_PAGES, limit=PAGE_SIZE)
    for page in pages:
        for invitation in page.items:
            if invitation.id in wanted:
                statuses[invitation.id] = invitation.effective_status
        if wanted <= statuses.keys():
            break
    return statuses


def _find_cancelled(ids: list[str]):
    statuses = invitation_statuses(set(ids))
    found = [{"id": i, "status": statuses[i]} for i in ids if statuses.get(i) == "CANCELED"]
    missing = [i for i in ids if statuses.get(i) != "CANCELED"]
    return found, missing


def find_cancelled_invitation(operation: Operation):
    return _find_cancelled([operation.target["invitation_id"]])


def find_cancelled_invitations(operation: Operation):
    return _find_cancelled(list(operation.target.get("invitation_ids", [])))
