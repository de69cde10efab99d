"""The reads the pages need: each is one upstream call (the agents list is cached briefly)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache

from delegations.client import get_client
from delegations.errors import NaturalBadResponse, NaturalError, NaturalNotFound
from delegations.records import (
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
AGENTS_MAX_PAGES = 20
HEALTH_TIMEOUT_SECONDS = 2.0
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
    """Every agent of the account (all pages), cached for about a minute."""
    key = _agents_cache_key()
    agents = cache.get(key)
    if agents is None:
        agents = _fetch_all_agents()
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
    return _page("/agents/invitations", params, parse_agent_invitation)


def list_delegation_invitations(
    *, status: str | None = None, cursor: str | None = None, limit: int = 50
) -> Page[DelegationInvitation]:
    """One page of din_ delegation invitations."""
    params = {"status": status or None, "cursor": cursor, "limit": limit}
    return _page("/agent-delegation-invitations", params, parse_delegation_invitation)


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
    """One page of adl_ agent delegations (this endpoint speaks snake_case)."""
    params = {
        "agent_id": agent_id or None,
        "delegation_id": delegation_id or None,
        "delegating_party_id": delegating_party_id or None,
        "delegated_party_id": delegated_party_id or None,
        "include_revoked": True if include_revoked else None,
        "cursor": cursor,
        "limit": limit,
    }
    return _page("/agent-delegations", params, parse_agent_delegation)


def get_agent_delegation(delegation_id: str) -> AgentDelegation:
    """One agent delegation."""
    return _one(f"/agent-delegations/{_segment(delegation_id)}", parse_agent_delegation)


def natural_health() -> tuple[bool, str]:
    """Whether Natural answers with our credentials: one cheap call, short timeout, no retries."""
    try:
        get_client().probe("/agents", {"limit": 1}, timeout=HEALTH_TIMEOUT_SECONDS)
    except NaturalError as error:
        status = f" ({error.status})" if error.status else ""
        return False, f"{type(error).__name__}{status}"
    return True, "ok"


# --- helpers ---------------------------------------------------------------------------------


def _page[T](path: str, params: Mapping[str, Any], parse_item: Callable[[Any], T]) -> Page[T]:
    payload = get_client().get(path, params).json
    return _parsed(parse_page, payload, parse_item)


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
