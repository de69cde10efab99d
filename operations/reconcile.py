"""Settle an `unknown` operation by reading what Natural holds, instead of creating again.

Each action has a finder that looks the created resources up (by agent and recipient, or by
customer email) among those made since the operation started. The finding is stored on the
operation as `reconciliation`; the original attempts and result are left exactly as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from operations.models import Action, Operation

# Natural's clock and ours may differ a little; look slightly before the operation began.
CLOCK_MARGIN = timedelta(minutes=10)
MAX_PAGES = 20

Finder = Callable[[Operation], tuple[list[dict[str, Any]], list[str]]]


class CannotReconcile(Exception):
    pass


def reconcile(operation: Operation, *, actor) -> Operation:
    finder = FINDERS.get(operation.action)
    if finder is None:
        raise CannotReconcile("There is no way to look this action up in Natural yet.")
    found, missing = finder(operation)
    if found and missing:
        outcome = "partial"
    elif found:
        outcome = "found"
    else:
        outcome = "absent"
    record = {
        "at": timezone.now().isoformat(),
        "by": actor.get_username(),
        "outcome": outcome,
        "found": found,
        "missing": missing,
    }
    with transaction.atomic():
        locked = Operation.objects.select_for_update().get(pk=operation.pk)
        history = list((locked.reconciliation or {}).get("history", []))
        history.append(record)
        locked.reconciliation = {**record, "history": history}
        found_ids = " ".join(item["id"] for item in found)
        locked.search_text = f"{locked.search_text} {found_ids}".strip()
        locked.save(update_fields=["reconciliation", "search_text"])
    operation.refresh_from_db()
    return operation


def _since(operation: Operation):
    return (operation.first_sent_at or operation.created_at) - CLOCK_MARGIN


def find_customer_invitations(operation: Operation):
    from delegations import services

    wanted = {_identity(r["type"], r["value"]): r for r in operation.target.get("recipients", [])}
    found: dict[tuple[str, str], dict[str, Any]] = {}
    since = _since(operation)
    pages = services.iter_pages(
        services.list_agent_invitations,
        max_pages=MAX_PAGES,
        agent_id=operation.target.get("agent_id"),
        limit=100,
    )
    for page in pages:
        for invitation in page.items:
            if invitation.created_at is None or invitation.created_at < since:
                continue
            for identity in _identities(invitation):
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
    from delegations import services

    email = (operation.target.get("customer_email") or "").lower()
    since = _since(operation)
    found = []
    pages = services.iter_pages(
        services.list_delegation_invitations, max_pages=MAX_PAGES, limit=100
    )
    for page in pages:
        for invitation in page.items:
            if invitation.customer_email.lower() == email and invitation.created_at >= since:
                found.append({"id": invitation.id, "status": invitation.status})
        oldest = page.items[-1].created_at if page.items else None
        if oldest is not None and oldest < since:
            break
    return found, ([] if found else [email])


def _identities(invitation) -> list[tuple[str, str]]:
    """The ways a listed invitation can name its recipient (the list shows email and party)."""
    identities = []
    if invitation.recipient_type and invitation.recipient_value:
        identities.append(_identity(invitation.recipient_type, invitation.recipient_value))
    if invitation.email:
        identities.append(_identity("email", invitation.email))
    if invitation.customer_party_id:
        identities.append(_identity("party_id", invitation.customer_party_id))
    return identities


def _identity(kind: str, value: str) -> tuple[str, str]:
    return (kind, value.lower() if kind == "email" else value)


FINDERS: dict[str, Finder] = {
    Action.INVITE_CUSTOMERS: find_customer_invitations,
    Action.CREATE_DELEGATION_INVITATION: find_delegation_invitations,
}
