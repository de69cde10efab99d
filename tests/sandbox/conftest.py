from collections.abc import Iterator

import httpx
import pytest

from sandbox import SandboxApp, create_app
from sandbox.testing import SandboxTransport

TOKEN = "test-token-not-a-secret"
BASE_URL = "http://sandbox.test"


def make_client(app: SandboxApp, token: str = TOKEN) -> httpx.Client:
    return httpx.Client(
        transport=SandboxTransport(app),
        base_url=BASE_URL,
        headers={"Authorization": f"Bearer {token}"},
    )


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


def invite(
    client: httpx.Client,
    agent_id: str,
    recipients: list[dict[str, str]],
    *,
    key: str,
    permissions: tuple[str, ...] = ("payments.read",),
    **attributes: object,
) -> httpx.Response:
    body = {
        "data": {
            "attributes": {"recipients": recipients, "permissions": list(permissions), **attributes}
        }
    }
    return client.post(f"/agents/{agent_id}/customers", json=body, headers={"Idempotency-Key": key})


def email(value: str) -> dict[str, str]:
    return {"type": "email", "value": value}
