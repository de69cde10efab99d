"""The Overview's cards: what needs attention now.

Each card's loader runs in the shared fan-out pool, so the page takes about as long as its
slowest card; a card that fails shows its own error, and one still waiting past the deadline
loads itself afterwards instead of holding the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from functools import partial
from time import monotonic

from django.apps import apps
from django.utils import timezone

from delegations import presenters, services
from delegations.errors import NaturalError
from delegations.views.concurrent import submit
from delegations.views.listing import AgentNames, upstream_error

logger = logging.getLogger(__name__)

PAGE_DEADLINE_SECONDS = 3.0
NEWEST = 5
EXPIRING_PAGES = 5
EXPIRING_PAGE_SIZE = 100


@dataclass
class Card:
    name: str
    title: str
    data: dict = field(default_factory=dict)
    error: dict | None = None
    waiting: bool = False

    @property
    def template(self) -> str:
        return f"dashboard/cards/{self.name}.html"


def expiring_invitations() -> dict:
    """Pending invitations expiring within 48 h. Natural lists newest first, and the ones about
    to expire are the oldest, so walk the pending pages (bounded) and keep those."""
    now = timezone.now()
    present = partial(presenters.invitation_row, now=now, agents=AgentNames())
    found, checked, cursor, complete = [], 0, None, False
    for _ in range(EXPIRING_PAGES):
        page = services.list_agent_invitations(
            statuses=("PENDING",), cursor=cursor, limit=EXPIRING_PAGE_SIZE
        )
        checked += len(page.items)
        found += [i for i in page.items if i.is_pending and i.expires_within(48, now)]
        if not (page.has_more and page.next_cursor):
            complete = True
            break
        cursor = page.next_cursor
    found.sort(key=lambda invitation: invitation.expires_at)
    return {"rows": [present(i) for i in found], "checked": checked, "complete": complete}


def newest_invitations() -> dict:
    now = timezone.now()
    page = services.list_agent_invitations(limit=NEWEST)
    return {"rows": [presenters.invitation_row(i, now, AgentNames()) for i in page.items]}


def newest_delegations() -> dict:
    now = timezone.now()
    page = services.list_agent_delegations(limit=NEWEST)
    return {"rows": [presenters.agent_delegation_row(a, now, AgentNames()) for a in page.items]}


def natural_health() -> dict:
    error = services.natural_health_error()
    if error is None:
        return {"healthy": True, "detail": "Answering with the dashboard's credentials."}
    return {"healthy": False, "detail": error.message}


def unfinished_operations() -> dict | None:
    """Operations that ended failed or unknown, from the local audit log (when it exists)."""
    if not apps.is_installed("operations"):
        return None
    try:
        from operations.models import Operation
    except ImportError:
        return None
    operations = Operation.objects.filter(state__in=("failed", "unknown")).order_by("-created_at")[
        :NEWEST
    ]
    return {"operations": list(operations)}


def index_freshness() -> dict | None:
    """How fresh the local customer search index is (when it exists)."""
    if not apps.is_installed("customer_index"):
        return None
    try:
        from customer_index import freshness
    except ImportError:
        return None
    return {"freshness": freshness.status()}


UPSTREAM_CARDS: dict[str, tuple[str, Callable[[], dict]]] = {
    "expiring": ("Expiring within 48 hours", expiring_invitations),
    "invitations": ("Newest invitations", newest_invitations),
    "delegations": ("Newest agent delegations", newest_delegations),
    "health": ("Natural", natural_health),
}
LOCAL_CARDS: dict[str, tuple[str, Callable[[], dict | None]]] = {
    "operations": ("Operations needing attention", unfinished_operations),
    "index": ("Customer search index", index_freshness),
}
CARD_NAMES = (*UPSTREAM_CARDS, *LOCAL_CARDS)


def _finish(card: Card, load: Callable[[], dict | None]) -> Card | None:
    try:
        data = load()
    except NaturalError as error:
        card.error = upstream_error(error)
        return card
    except FutureTimeout:
        raise
    except Exception:
        # A broken card must not take the Overview down with it.
        logger.exception("overview card %s failed", card.name)
        card.error = {"message": "This card could not be loaded.", "status": 500}
        return card
    if data is None:
        return None
    card.data = data
    return card


def one_card(name: str) -> Card | None:
    """One card, loaded now (the lazy load of a card that missed the page deadline)."""
    title, load = {**UPSTREAM_CARDS, **LOCAL_CARDS}[name]
    return _finish(Card(name, title), load)


def all_cards(deadline: float = PAGE_DEADLINE_SECONDS) -> list[Card]:
    """Every card: upstream loaders side by side, local ones meanwhile in this thread."""
    futures = {name: submit(load) for name, (_, load) in UPSTREAM_CARDS.items()}
    cards: list[Card] = []
    local = [one_card(name) for name in LOCAL_CARDS]
    ends_at = monotonic() + deadline
    for name, future in futures.items():
        card = Card(name, UPSTREAM_CARDS[name][0])
        try:
            finished = _finish(card, partial(future.result, max(0.0, ends_at - monotonic())))
        except FutureTimeout:
            card.waiting = True
            finished = card
        if finished is not None:
            cards.append(finished)
    return cards + [card for card in local if card is not None]
