from __future__ import annotations

import pytest

from natural.reads import list_agents


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
