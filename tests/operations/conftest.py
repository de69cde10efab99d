from __future__ import annotations

import httpx
import pytest

from operations import engine
from tests.operations.support import active_delegations, invite_arguments


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
def submit_invite(admin, agent_id):
    def submit(recipients=None, key=None):
        return engine.submit(**invite_arguments(admin, agent_id, recipients, key))

    return submit


@pytest.fixture
def delegation(natural):
    return active_delegations(natural)[0]
