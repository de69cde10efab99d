"""The sandbox's own deliveries, as it sent them, verified and applied by the dashboard."""

from __future__ import annotations

import httpx
import pytest
from django.test import Client

from natural.models import WebhookDelivery
from read_model import sync
from read_model.models import IndexedAgentDelegation
from sandbox.webhooks import Settings
from tests.natural.webhook_signing import new_secret


@pytest.fixture
def captured(natural, settings):
    secret = new_secret()
    settings.NATURAL_WEBHOOK_SECRETS = [secret]
    requests: list[httpx.Request] = []

    def keep(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200)

    natural.send_webhooks(
        Settings(url="http://dashboard.test/webhooks/natural/", secret=secret, duplicates=1.0),
        transport=httpx.MockTransport(keep),
    )
    yield requests
    natural.stop_webhooks()


def test_a_revocation_in_the_sandbox_reaches_the_delegations_table(natural, captured):
    sync.sync("agent_delegations")
    with natural.state.lock:
        adl = next(a for a in natural.state.agent_delegations if not a.is_revoked)
        natural.state.revoke_agent_access(natural.state.agent(adl.agent_id), adl.customer_id)
    assert natural.webhooks.drain()
    assert len(captured) == 2  # sent twice, as a sender sometimes does

    sender = Client(enforce_csrf_checks=True)
    for request in captured:
        headers = {
            f"HTTP_{name.upper().replace('-', '_')}": request.headers[name]
            for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
        }
        response = sender.post(
            "/webhooks/natural/", request.content, content_type="application/json", **headers
        )
        assert response.status_code == 200

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.repeats) == (WebhookDelivery.State.PROCESSED, 1)
    assert IndexedAgentDelegation.objects.get(agent_delegation_id=adl.id).revoked
