"""Settle an `unknown` operation by reading what Natural holds, instead of creating again.

Each write declares a finder (operations.catalog) that looks its effect up in Natural: created
invitations by agent and recipient or by customer email, among those made since the operation
started; a revoked access by the pair; canceled invitations by their status. The finding is
stored on the operation as `reconciliation`; the original attempts and result stay as they were.
When everything it was meant to do is found, the operation is settled as succeeded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from operations.models import Operation, State
from operations.pending import invitation_identities

# Natural's clock and ours may differ a little; look slightly before the operation began.
CLOCK_MARGIN = timedelta(minutes=10)
MAX_PAGES = 20
PAGE_SIZE = 100

Finder = Callable[[Operation], tuple[list[dict[str, Any]], list[str]]]


class CannotReconcile(Exception):
    pass


def reconcile(operation: Operation, *, actor) -> Operation:
    from operations import engine
    from operations.catalog import declared

    finder = declared(operation.action).finder
    if finder is None:
        raise CannotReconcile("There is no way to look this action up in Natural yet.")
    operation.refresh_from_db()
    if operation.is_stale_sending:
        operation = engine.abandon(operation)
    if operation.state in (State.PENDING, State.SENDING):
        raise CannotReconcile("The operation is being sent or waiting to be sent; look again soon.")
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
        fields = ["reconciliation", "search_text"]
        if outcome == "found" and locked.state == State.UNKNOWN:
            # Everything it was meant to do is visible in Natural: settled, never resent.
            locked.state = State.SUCCEEDED
            locked.finished_at = timezone.now()
            fields += ["state", "finished_at"]
        locked.save(update_fields=fields)
    operation.refresh_from_db()
    return operation


def _since(operation: Operation):
    return (operation.first_sent_at or operation.created_at) - CLOCK_MARGIN


def find_customer_invitations(operation: Operation):
    from natural import reads

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
    from natural import reads

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
    from natural import reads

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
    from natural import reads

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
