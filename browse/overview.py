"""The Overview's cards: what needs attention now.

Each card's loader runs in the shared fan-out pool, side by side with the agents list the
cards label rows with, so the page costs one round of upstream calls: about as long as its
slowest card. A card that fails shows its own error, and one still waiting past the deadline
loads itself afterwards instead of holding the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from functools import partial
from time import monotonic

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from browse import presenters
from natural import reads
from natural.agent_names import AgentNames, agents_or_nothing
from natural.errors import NaturalError, UpstreamFailure
from natural.fanout import submit
from operations.models import ACTIVE_BATCH, Batch, Operation
from read_model import freshness

logger = logging.getLogger(__name__)

SOON_HOURS = presenters.SOON_HOURS
PAGE_DEADLINE_SECONDS = 3.0
NEWEST = 5
EXPIRING_PAGES = 5
EXPIRING_PAGE_SIZE = 100
# Walking the pending pages takes several rounds of calls; the Overview reuses one walk for a
# minute so the page itself costs one round.
EXPIRING_CACHE_SECONDS = 60


@dataclass
class Card:
    name: str
    title: str
    data: dict = field(default_factory=dict)
    error: UpstreamFailure | None = None
    waiting: bool = False

    @property
    def template(self) -> str:
        return f"browse/cards/{self.name}.html"


def _expiring_walk() -> tuple[list, int, bool]:
    """Natural lists newest first and the invitations about to expire are the oldest, so walk
    the pending pages (bounded): (those expiring within 48 h, how many checked, walked all)."""
    key = f"natural:expiring:{settings.NATURAL_API_URL}"
    walk = cache.get(key)
    if walk is None:
        now = timezone.now()
        found, checked, complete = [], 0, False
        pages = reads.iter_pages(
            reads.list_agent_invitations,
            max_pages=EXPIRING_PAGES,
            statuses=("PENDING",),
            limit=EXPIRING_PAGE_SIZE,
        )
        for page in pages:
            checked += len(page.items)
            found += [i for i in page.items if i.expires_within(SOON_HOURS, now)]
            complete = not (page.has_more and page.next_cursor)
        found.sort(key=lambda invitation: invitation.expires_at)
        walk = (found, checked, complete)
        cache.set(key, walk, EXPIRING_CACHE_SECONDS)
    return walk


def expiring_invitations(agents: Mapping[str, str]) -> dict:
    """Pending invitations expiring within 48 hours, soonest first."""
    now = timezone.now()
    found, checked, complete = _expiring_walk()
    found = [i for i in found if i.expires_within(SOON_HOURS, now)]
    rows = [presenters.invitation_row(i, now, agents) for i in found]
    return {"rows": rows, "checked": checked, "complete": complete}


def newest_invitations(agents: Mapping[str, str]) -> dict:
    now = timezone.now()
    page = reads.list_agent_invitations(limit=NEWEST)
    return {"rows": [presenters.invitation_row(i, now, agents) for i in page.items]}


def newest_delegations(agents: Mapping[str, str]) -> dict:
    now = timezone.now()
    page = reads.list_agent_delegations(limit=NEWEST)
    return {"rows": [presenters.agent_delegation_row(a, now, agents) for a in page.items]}


def natural_health(agents: Mapping[str, str]) -> dict:
    error = reads.natural_health_error()
    if error is None:
        return {"healthy": True, "detail": "Answering with the dashboard's credentials."}
    return {"healthy": False, "detail": error.message}


def unfinished_operations() -> dict:
    """Operations that ended failed or unknown, parts a dead process left sending or never
    sent, from the local audit log."""
    operations = Operation.objects.needing_attention().order_by("-created_at")[:NEWEST]
    return {"operations": list(operations)}


def batches_in_progress() -> dict:
    """Batches the workers are sending (or that an admin paused), with their progress."""
    from operations import batches

    active = Batch.objects.filter(state__in=ACTIVE_BATCH).order_by("-created_at")[:NEWEST]
    return {"batches": [(batch, batches.progress(batch)) for batch in active]}


def index_freshness() -> dict:
    """How fresh the local customer search index is."""
    return {"freshness": freshness.status()}


UPSTREAM_CARDS: dict[str, tuple[str, Callable[[Mapping[str, str]], dict]]] = {
    "expiring": ("Expiring within 48 hours", expiring_invitations),
    "invitations": ("Newest invitations", newest_invitations),
    "delegations": ("Newest agent delegations", newest_delegations),
    "health": ("Natural", natural_health),
}
LOCAL_CARDS: dict[str, tuple[str, Callable[[], dict]]] = {
    "operations": ("Operations needing attention", unfinished_operations),
    "batches": ("Batches in progress", batches_in_progress),
    "index": ("Customer search index", index_freshness),
}
CARD_NAMES = (*UPSTREAM_CARDS, *LOCAL_CARDS)


def _finish(card: Card, load: Callable[[], dict]) -> Card:
    try:
        card.data = load()
    except NaturalError as error:
        card.error = UpstreamFailure.of(error)
    except FutureTimeout:
        raise
    except Exception:
        # A broken card must not take the Overview down with it.
        logger.exception("overview card %s failed", card.name)
        card.error = UpstreamFailure("This card could not be loaded.", 500)
    return card


def one_card(name: str) -> Card:
    """One card, loaded now (the lazy load of a card that missed the page deadline)."""
    if name in UPSTREAM_CARDS:
        title, load = UPSTREAM_CARDS[name]
        return _finish(Card(name, title), partial(load, AgentNames()))
    title, local = LOCAL_CARDS[name]
    return _finish(Card(name, title), local)


def all_cards(deadline: float = PAGE_DEADLINE_SECONDS) -> list[Card]:
    """Every card: the agents list and the upstream loaders side by side, local ones meanwhile
    in this thread."""
    agents = submit(agents_or_nothing)
    names = AgentNames(load=agents.result)
    futures = {name: submit(partial(load, names)) for name, (_, load) in UPSTREAM_CARDS.items()}
    local = [one_card(name) for name in LOCAL_CARDS]
    ends_at = monotonic() + deadline
    cards: list[Card] = []
    for name, future in futures.items():
        card = Card(name, UPSTREAM_CARDS[name][0])
        try:
            cards.append(_finish(card, partial(future.result, max(0.0, ends_at - monotonic()))))
        except FutureTimeout:
            card.waiting = True
            cards.append(card)
    return cards + local
