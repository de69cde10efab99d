"""When Natural hangs, a page waits at most once: every upstream call it makes, the agent
names for the filters included, ends within the read timeout plus NATURAL_API_RETRY_BUDGET.

Time here is the client's clock, which the tests move instead of waiting."""

from __future__ import annotations

import threading

import httpx
import pytest

from natural import client
from tests.fixtures.natural import fake_natural

READ_TIMEOUT = 5.0
RETRY_BUDGET = 8.0
PAGE_BUDGET = READ_TIMEOUT + RETRY_BUDGET
PARTY = "pty_" + "1" * 32
PAGES = [
    ("/invitations/", "invitations-table"),
    ("/invitations/?agent=agt_" + "2" * 32, "invitations-table"),
    ("/delegations/", "delegations-table"),
    ("/delegations/?include_revoked=on&party=" + PARTY, "delegations-table"),
    ("/invitations/delegation/", "delegation-invitations-table"),
    ("/customers/", "customers-table"),
    (f"/customers/{PARTY}/", None),
    ("/delegations/adl_" + "3" * 32 + "/", None),
    ("/?card=expiring", None),
    ("/", None),
]


class Hanging(httpx.BaseTransport):
    """Every request hangs until its read timeout: the clock moves by that much, then it fails."""

    def __init__(self, waits) -> None:
        self.waits = waits
        self.attempts: list[tuple[float, float]] = []
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        read = request.extensions["timeout"]["read"]
        with self.lock:
            started = self.waits.monotonic()
            self.waits.offset += read
            self.attempts.append((started, started + read))
        raise httpx.ReadTimeout("timed out", request=request)


@pytest.fixture
def hanging_natural(db, settings, retry_waits):
    settings.NATURAL_API_READ_TIMEOUT = READ_TIMEOUT
    settings.NATURAL_API_RETRY_BUDGET = RETRY_BUDGET
    with fake_natural(settings, "http://natural.hanging", Hanging(retry_waits)) as transport:
        yield transport


@pytest.mark.parametrize(("url", "target"), PAGES)
@pytest.mark.parametrize("partial", [False, True])
def test_a_hanging_natural_costs_a_page_one_budget(
    manager_client, hanging_natural, retry_waits, url, target, partial
):
    if partial and target is None:
        pytest.skip("this page has no partial")
    headers = {"HX-Request": "true", "HX-Target": target} if partial else {}
    started = retry_waits.monotonic()

    response = manager_client.get(url, headers=headers)

    assert response.status_code in (200, 502, 503, 504)
    assert hanging_natural.attempts, "Natural was asked"
    last_end = max(end for _, end in hanging_natural.attempts)
    # The clock also moves with real time while the page renders: a quarter second of slack.
    assert last_end - started <= PAGE_BUDGET + 0.25, hanging_natural.attempts


class AgentsHang(Hanging):
    """Only the agents list hangs; everything else is the sandbox."""

    def __init__(self, waits, app) -> None:
        super().__init__(waits)
        from sandbox.testing import SandboxTransport

        self.inner = SandboxTransport(app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/agents":
            return super().handle_request(request)
        return self.inner.handle_request(request)


@pytest.mark.parametrize("url", ["/invitations/", "/delegations/"])
def test_agent_names_that_hang_degrade_to_ids_and_the_table_still_answers(
    manager_client, natural, settings, retry_waits, url
):
    settings.NATURAL_API_READ_TIMEOUT = READ_TIMEOUT
    settings.NATURAL_API_RETRY_BUDGET = RETRY_BUDGET
    client.use_transport(AgentsHang(retry_waits, natural))

    response = manager_client.get(url)

    assert response.status_code == 200
    assert response.context["rows"]
    assert "Try again" in response.content.decode()
