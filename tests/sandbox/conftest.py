from collections.abc import Iterator

import httpx
import pytest

from sandbox import SandboxApp, create_app
from tests.sandbox.support import TOKEN, make_client


@pytest.fixture
def app() -> SandboxApp:
    """Full default seed: 250 customers, 400 invitations, 300 agent delegations."""
    return create_app(token=TOKEN)


@pytest.fixture
def client(app: SandboxApp) -> Iterator[httpx.Client]:
    with make_client(app) as client:
        yield client


@pytest.fixture
def agent_id(app: SandboxApp) -> str:
    return next(iter(app.state.agents)).id
