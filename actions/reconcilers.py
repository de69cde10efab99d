"""How an unsettled revoke or cancel is checked against Natural (used by operations.reconcile).

Each finder returns (found, missing): found = the change is visible in Natural, missing = ids
where it is not. Nothing is ever sent again from here.
"""

from __future__ import annotations

from operations.models import Operation

MAX_PAGES = 20
PAGE_SIZE = 100


def find_revoked_access(operation: Operation):
    from delegations import services

    target = operation.target
    page = services.list_agent_delegations(
        agent_id=target["agent_id"], delegating_party_id=target["customer_id"], limit=PAGE_SIZE
    )
    still_active = any(item.id == target.get("delegation_id") for item in page.items)
    if still_active:
        return [], [target.get("delegation_id")]
    return [{"id": target.get("delegation_id"), "status": "REVOKED"}], []


def invitation_statuses(wanted: set[str]) -> dict[str, str]:
    """Natural has no get-one for invitations: walk the list until every id is seen."""
    from delegations import services

    statuses: dict[str, str] = {}
    pages = services.iter_pages(
        services.list_agent_invitations, max_pages=MAX_PAGES, limit=PAGE_SIZE
    )
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


def register() -> None:
    from operations.models import Action
    from operations.reconcile import FINDERS

    FINDERS.setdefault(Action.REVOKE_AGENT_ACCESS, find_revoked_access)
    FINDERS.setdefault(Action.CANCEL_INVITATION, find_cancelled_invitation)
    FINDERS.setdefault(Action.CANCEL_INVITATIONS, find_cancelled_invitations)
