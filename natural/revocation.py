"""Whether an agent's access is still active, from what Natural documents and nothing more.

Natural's agent delegations carry no status. The only documented difference is that the list
leaves revoked ones out unless asked with `include_revoked`. So a row is active when the list
without it shows the row; revoked when that list, walked to its end with the same filters,
does not; unknown when the walk could not finish (Natural failed, or too many pages). Our own
audit log (operations that revoked the access) is the other source; the pages add it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from natural import reads
from natural.errors import NaturalError
from natural.records import AgentDelegation, Page

ACTIVE = "active"
REVOKED = "revoked"
UNKNOWN = "unknown"
PAGE_SIZE = 100
# A page view walks a few pages of the active list; an export may walk more.
PAGE_WALK = 3
EXPORT_WALK = 100
FILTERS = ("agent_id", "delegation_id", "delegating_party_id", "delegated_party_id")


@dataclass
class ActiveIndex:
    """Ids the default list shows for one set of filters, and whether it was seen to the end."""

    filters: dict
    max_pages: int = PAGE_WALK
    ids: set[str] = field(default_factory=set)
    complete: bool = False
    _walked: bool = False

    def state_of(self, delegation_id: str) -> str:
        self._walk()
        if delegation_id in self.ids:
            return ACTIVE
        return REVOKED if self.complete else UNKNOWN

    def _walk(self) -> None:
        if self._walked:
            return
        self._walked = True
        cursor = None
        try:
            for _ in range(self.max_pages):
                page = reads.list_agent_delegations(**self.filters, cursor=cursor, limit=PAGE_SIZE)
                self.ids.update(item.id for item in page.items)
                if not page.has_more:
                    self.complete = True
                    return
                cursor = page.next_cursor
        except NaturalError:
            self.complete = False


def settle(items: Iterable[AgentDelegation], index: ActiveIndex) -> tuple[AgentDelegation, ...]:
    return tuple(replace(item, revocation=index.state_of(item.id)) for item in items)


def list_agent_delegations(*, include_revoked: bool = False, **query) -> Page[AgentDelegation]:
    """`reads.list_agent_delegations`, each row of an include_revoked page settled."""
    page = reads.list_agent_delegations(include_revoked=include_revoked, **query)
    if not include_revoked:
        return page
    index = ActiveIndex({name: query.get(name) for name in FILTERS})
    return replace(page, items=settle(page.items, index))


def list_for_export():
    """A fetch for the export: every page settled against one active list walked once."""
    indexes: dict[tuple, ActiveIndex] = {}

    def fetch(*, include_revoked: bool = False, **query) -> Page[AgentDelegation]:
        page = reads.list_agent_delegations(include_revoked=include_revoked, **query)
        if not include_revoked:
            return page
        filters = {name: query.get(name) for name in FILTERS}
        key = tuple(filters.values())
        index = indexes.setdefault(key, ActiveIndex(filters, max_pages=EXPORT_WALK))
        return replace(page, items=settle(page.items, index))

    return fetch


def with_state(delegation: AgentDelegation) -> AgentDelegation:
    """One delegation (read by id) with its state, from the list of its agent and customer."""
    if delegation.revocation != UNKNOWN:
        return delegation
    if not delegation.agent_id or not delegation.delegating_party_id:
        return delegation
    index = ActiveIndex(
        {"agent_id": delegation.agent_id, "delegating_party_id": delegation.delegating_party_id}
    )
    return replace(delegation, revocation=index.state_of(delegation.id))
