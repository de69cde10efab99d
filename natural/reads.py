"""The reads the pages need: each is one upstream call (the agents list is cached briefly).

No filter is trusted to have been applied: an API of the other generation ignores names it
does not know and answers unfiltered. Each list keeps only the rows matching what was asked
and logs the rest; `/agent-delegations` is asked in the generation its last answer spoke.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.cache import cache

from natural.client import get_client
from natural.errors import (
    NaturalBadResponse,
    NaturalError,
    NaturalNotFound,
    NaturalUnavailable,
)
from natural.records import (
    Agent,
    AgentDelegation,
    AgentInvitation,
    Customer,
    DelegationInvitation,
    Page,
    parse_agent,
    parse_agent_delegation,
    parse_agent_invitation,
    parse_customer,
    parse_delegation_invitation,
    parse_one,
    parse_page,
)

# Agents change rarely and label many tables: one fetch serves a minute of pages.
AGENTS_CACHE_SECONDS = 60
# After a failed fetch, labels fall back to ids for a moment instead of calling again.
AGENTS_FAILURE_SECONDS = 10
AGENTS_MAX_PAGES = 20
HEALTH_TIMEOUT_SECONDS = 2.0
logger = logging.getLogger(__name__)
# Query names of /agent-delegations in each generation of the docs (natural-api.md §2.5).
AGENT_DELEGATION_FILTERS = {
    "A": {
        "agent_id": "agent_id",
        "delegation_id": "delegation_id",
        "delegating_party_id": "delegating_party_id",
        "delegated_party_id": "delegated_party_id",
        "include_revoked": "include_revoked",
    },
    "B": {
        "agent_id": "agentId",
        "delegation_id": "delegationId",
        "delegating_party_id": "delegatorPartyId",
        "delegated_party_id": "delegateePartyId",
        "include_revoked": "includeRevoked",
    },
}
# Seed 004 documents /agent-delegations in generation A; an answer in B switches it for the
# client that got it (a client is rebuilt when the API URL changes).
DEFAULT_GENERATIONS = {"/agent-delegations": "A"}
_generations: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_generations_lock = threading.Lock()
# Natural ids are `prefix_hex`; anything else is a typo or an attempt to reach another path.
_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


def list_customers(*, cursor: str | None = None, limit: int = 20) -> Page[Customer]:
    """One page of customers with their delegation and agents."""
    return _page("/customers", {"cursor": cursor, "limit": limit}, parse_customer)


def get_customer(customer_id: str) -> Customer:
    """One customer with its delegation and agents."""
    return _one(f"/customers/{_segment(customer_id)}", parse_customer)


def iter_pages[T](
    fetch: Callable[..., Page[T]], *, max_pages: int, first: Page[T] | None = None, **query: Any
) -> Iterator[Page[T]]:
    """The pages of one listing, following its cursor, newest first, at most `max_pages` (so a
    cursor that never ends cannot hold a request). `first` is a page already fetched."""
    page = first if first is not None else fetch(**query)
    for number in range(1, max_pages + 1):
        yield page
        if number == max_pages or not (page.has_more and page.next_cursor):
            return
        page = fetch(**{**query, "cursor": page.next_cursor})


def iter_items[T](fetch: Callable[..., Page[T]], *, max_pages: int, **query: Any) -> Iterator[T]:
    """Every item of a listing, page after page (see iter_pages)."""
    for page in iter_pages(fetch, max_pages=max_pages, **query):
        yield from page.items


def list_agents() -> tuple[Agent, ...]:
    """Every agent of the account (all pages), cached for about a minute. Right after a failed
    fetch it fails at once, so labels fall back to ids without asking (and waiting) again."""
    key = _agents_cache_key()
    agents = cache.get(key)
    if agents is not None:
        return agents
    if cache.get(key + ":failed"):
        raise NaturalUnavailable("The agents list is not available right now.")
    try:
        agents = _fetch_all_agents()
    except NaturalError:
        cache.set(key + ":failed", True, AGENTS_FAILURE_SECONDS)
        raise
    cache.set(key, agents, AGENTS_CACHE_SECONDS)
    return agents


def list_agent_invitations(
    *,
    statuses: Iterable[str] = (),
    customer_email: str | None = None,
    agent_id: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[AgentInvitation]:
    """One page of adi_ invitations; several statuses go as repeated `?status=`."""
    params = {
        "status": list(statuses),
        "customerEmail": customer_email or None,
        "agentId": agent_id or None,
        "cursor": cursor,
        "limit": limit,
    }
    wanted_statuses = set(statuses)
    wanted_email = (customer_email or "").lower() or None

    def matches(invitation: AgentInvitation) -> bool:
        return (
            (not wanted_statuses or invitation.effective_status in wanted_statuses)
            and (wanted_email is None or (invitation.email or "").lower() == wanted_email)
            and (not agent_id or invitation.agent_id == agent_id)
        )

    page = _page("/agents/invitations", params, parse_agent_invitation)
    return _only_matching("/agents/invitations", page, matches, params)


def list_delegation_invitations(
    *, status: str | None = None, cursor: str | None = None, limit: int = 50
) -> Page[DelegationInvitation]:
    """One page of din_ delegation invitations."""
    params = {"status": status or None, "cursor": cursor, "limit": limit}
    page = _page("/agent-delegation-invitations", params, parse_delegation_invitation)
    return _only_matching(
        "/agent-delegation-invitations",
        page,
        lambda invitation: not status or invitation.status == status,
        params,
    )


def list_agent_delegations(
    *,
    agent_id: str | None = None,
    delegation_id: str | None = None,
    delegating_party_id: str | None = None,
    delegated_party_id: str | None = None,
    include_revoked: bool = False,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[AgentDelegation]:
    """One page of adl_ agent delegations (this endpoint speaks snake_case). Without
    include_revoked every row is active, as documented; with it, no row says which it is."""
    path = "/agent-delegations"
    asked = {
        "agent_id": agent_id or None,
        "delegation_id": delegation_id or None,
        "delegating_party_id": delegating_party_id or None,
        "delegated_party_id": delegated_party_id or None,
        "include_revoked": True if include_revoked else None,
    }
    client = get_client()
    names = AGENT_DELEGATION_FILTERS[_generation(client, path)]
    params = {names[name]: value for name, value in asked.items()}
    payload = client.get(path, {**params, "cursor": cursor, "limit": limit}).json
    _learn_generation(client, path, payload)
    page = _parsed(parse_page, payload, parse_agent_delegation)

    def matches(item: AgentDelegation) -> bool:
        return all(
            value is None or getattr(item, name) == value
            for name, value in asked.items()
            if name != "include_revoked"
        )

    page = _only_matching(path, page, matches, params)
    if include_revoked:
        return page
    return replace(page, items=tuple(replace(item, revocation="active") for item in page.items))


def get_agent_delegation(delegation_id: str) -> AgentDelegation:
    """One agent delegation."""
    return _one(f"/agent-delegations/{_segment(delegation_id)}", parse_agent_delegation)


def natural_health() -> tuple[bool, str]:
    """Whether Natural answers with our credentials: one cheap call, short timeout, no retries."""
    error = natural_health_error()
    if error is None:
        return True, "ok"
    status = f" ({error.status})" if error.status else ""
    return False, f"{type(error).__name__}{status}"


def natural_health_error() -> NaturalError | None:
    """What stops Natural from answering us (None when it answers): the health probe itself."""
    try:
        get_client().probe("/agents", {"limit": 1}, timeout=HEALTH_TIMEOUT_SECONDS)
    except NaturalError as error:
        return error
    return None


# --- helpers ---------------------------------------------------------------------------------


def _page[T](path: str, params: Mapping[str, Any], parse_item: Callable[[Any], T]) -> Page[T]:
    payload = get_client().get(path, params).json
    return _parsed(parse_page, payload, parse_item)


def _only_matching[T](
    path: str, page: Page[T], matches: Callable[[T], bool], params: Mapping[str, Any]
) -> Page[T]:
    """The rows that match what was asked; the others are dropped and logged, never shown."""
    kept = tuple(item for item in page.items if matches(item))
    dropped = len(page.items) - len(kept)
    if not dropped:
        return page
    asked = sorted(name for name, value in params.items() if value not in (None, [], ()))
    logger.warning(
        "Natural did not apply the filters of %s (%s): dropped %d of %d rows",
        path,
        ", ".join(asked),
        dropped,
        len(page.items),
    )
    return replace(page, items=kept)


def _generation(client: Any, path: str) -> str:
    return _generations.get(client, {}).get(path) or DEFAULT_GENERATIONS[path]


def _learn_generation(client: Any, path: str, payload: Any) -> None:
    """Which generation answered, from its pagination keys: the next call speaks it."""
    meta = payload.get("meta") if isinstance(payload, Mapping) else None
    pagination = meta.get("pagination") if isinstance(meta, Mapping) else None
    if not isinstance(pagination, Mapping):
        return
    generation = "B" if "hasMore" in pagination else "A" if "has_more" in pagination else None
    if generation and _generation(client, path) != generation:
        with _generations_lock:
            _generations.setdefault(client, {})[path] = generation


def _one[T](path: str, parse_item: Callable[[Any], T]) -> T:
    payload = get_client().get(path).json
    return _parsed(parse_one, payload, parse_item)


def _parsed(envelope: Callable[..., Any], payload: Any, parse_item: Callable[[Any], Any]) -> Any:
    try:
        return envelope(payload, parse_item)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise NaturalBadResponse() from error


def _list_agents_page(*, cursor: str | None = None, limit: int = 100) -> Page[Agent]:
    return _page("/agents", {"cursor": cursor, "limit": limit}, parse_agent)


def _fetch_all_agents() -> tuple[Agent, ...]:
    return tuple(iter_items(_list_agents_page, max_pages=AGENTS_MAX_PAGES))


def _agents_cache_key() -> str:
    return f"natural:agents:{settings.NATURAL_API_URL}"


def _segment(identifier: str) -> str:
    """An id as one path segment: never empty, never able to walk to another path."""
    if not isinstance(identifier, str) or not _ID.match(identifier):
        raise NaturalNotFound()
    return identifier
