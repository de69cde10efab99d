"""Who each selected invitation is for, so bulk pages show people and agents, not only ids.

Natural has no "get one invitation": the newest pages are read until every id is found.
"""

from __future__ import annotations

from collections.abc import Iterable

from natural import reads
from natural.agent_names import AgentNames
from natural.errors import NaturalError

SEARCH_PAGES = 5
SEARCH_PAGE_SIZE = 100


def _find(ids: set[str]) -> tuple[dict, bool]:
    """The invitations found among `ids`, and whether Natural's whole list was read (then an
    id not found is one Natural no longer lists)."""
    found: dict = {}
    cursor = None
    for _ in range(SEARCH_PAGES):
        page = reads.list_agent_invitations(cursor=cursor, limit=SEARCH_PAGE_SIZE)
        found.update((item.id, item) for item in page.items if item.id in ids)
        if not (page.has_more and page.next_cursor):
            return found, True
        if len(found) == len(ids):
            break
        cursor = page.next_cursor
    return found, False


def read_again(invitation_id: str):
    """One invitation as Natural lists it now: (invitation or None, whole list read).
    Raises NaturalError when Natural cannot be asked."""
    found, searched_all = _find({invitation_id})
    return found.get(invitation_id), searched_all


def describe(ids: Iterable[str], selected_status: dict[str, str] | None = None) -> list[dict]:
    """Per id: recipient, agent, status now and when selected; ids alone if Natural fails."""
    ids = list(ids)
    try:
        found, _ = _find(set(ids))
    except NaturalError:
        found = {}
    names = AgentNames()
    rows = []
    for invitation_id in ids:
        invitation = found.get(invitation_id)
        row = {"id": invitation_id, "status": (selected_status or {}).get(invitation_id)}
        if invitation is not None:
            row["recipient"] = invitation.email or invitation.recipient_value
            agent_id = invitation.agent_id or ""
            row["agent"] = invitation.agent_name or names.get(agent_id, agent_id)
            row["status_now"] = invitation.effective_status or invitation.status
        rows.append(row)
    return rows
