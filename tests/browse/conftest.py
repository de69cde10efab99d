from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from natural.reads import list_agents

AGENTS_PATH = "/agents"


def upstream(natural, *, include_agents: bool = False) -> list:
    """The Natural API requests the sandbox saw, oldest first (the cached agents list aside)."""
    return [
        record
        for record in natural.request_log_snapshot()
        if include_agents or record.path != AGENTS_PATH
    ]


def query_of(record) -> dict[str, list[str]]:
    return parse_qs(record.query, keep_blank_values=True)


def htmx(target: str, **extra: str) -> dict[str, str]:
    return {"HX-Request": "true", "HX-Target": target, **extra}


@pytest.fixture
def warm_natural(natural):
    """The sandbox with the agents list already cached and the request log emptied."""
    list_agents()
    natural.clear_request_log()
    return natural


@pytest.fixture
def seeded(natural):
    """Handy ids from the seeded sandbox state."""
    state = natural.state
    return state
