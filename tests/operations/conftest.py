from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from natural import writes
from operations import engine
from operations.models import Action
from operations.recipients import Recipient


class RecordingTransport(httpx.BaseTransport):
    """Passes requests to the sandbox and keeps what went on the wire (headers and bytes)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.inner.handle_request(request)

    def writes(self) -> list[httpx.Request]:
        return [request for request in self.requests if request.method != "GET"]


@pytest.fixture
def wire(natural) -> RecordingTransport:
    from natural import client
    from sandbox.testing import SandboxTransport

    recording = RecordingTransport(SandboxTransport(natural))
    client.use_transport(recording)
    return recording


@pytest.fixture
def agent_id(natural) -> str:
    return next(iter(natural.state.agents)).id


@pytest.fixture
def admin(make_user):
    return make_user("admin", username="ada")


def upstream_writes(natural) -> list:
    return [record for record in natural.request_log_snapshot() if record.method != "GET"]


def invitations_to(natural, values) -> list:
    wanted = set(values)
    return [i for i in natural.state.invitations if i.recipient.value in wanted]


def emails(count: int, start: int = 0) -> list[Recipient]:
    return [Recipient("email", f"person{n}@example.com") for n in range(start, start + count)]


def invite_arguments(admin, agent_id, recipients=None, key=None) -> dict:
    recipients = recipients or emails(3)
    return {
        "key": key or uuid.uuid4(),
        "actor": admin,
        "action": Action.INVITE_CUSTOMERS,
        "method": "POST",
        "path": writes.invite_customers_path(agent_id),
        "body": writes.invite_customers_body(
            recipients,
            ["payments.read"],
            10000,
            datetime.now(UTC).replace(microsecond=0) + timedelta(days=7),
        ),
        "idempotent": True,
        "target": {
            "agent_id": agent_id,
            "recipients": [{"type": r.type, "value": r.value} for r in recipients],
        },
    }


@pytest.fixture
def submit_invite(admin, agent_id):
    def submit(recipients=None, key=None):
        return engine.submit(**invite_arguments(admin, agent_id, recipients, key))

    return submit
