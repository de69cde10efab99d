"""The sandbox sends signed webhooks as real senders do: retries with backoff, duplicates,
out-of-order delivery and a secret rotation; only documented event types."""

from __future__ import annotations

import json
import random
import threading
from datetime import timedelta

import httpx
import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from sandbox import create_app
from sandbox.models import Recipient
from sandbox.webhooks import Settings
from tests.natural.webhook_signing import new_secret

TOKEN = "sk_ntl_sandbox_" + "0" * 32


class Receiver:
    """Stands in for the dashboard: records each delivery, answers what `answers` says."""

    def __init__(self, answers=()):
        self.answers = list(answers)
        self.received: list[httpx.Request] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.received.append(request)
            status = self.answers.pop(0) if self.answers else 200
        if status is None:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(status)

    def events(self) -> list[dict]:
        return [json.loads(r.content) for r in self.received]


@pytest.fixture
def secret() -> str:
    return new_secret()


def sandbox_sending(secret, receiver, **settings):
    app = create_app(token=TOKEN, customers=20, invitations=30, delegations=20)
    options = {"backoff": 0.01, **settings}
    app.send_webhooks(
        Settings(url="http://dashboard.test/webhooks/natural/", secret=secret, **options),
        transport=httpx.MockTransport(receiver),
        rng=random.Random(3),
    )
    return app


def revoke_one(app):
    with app.state.lock:
        adl = next(a for a in app.state.agent_delegations if not a.is_revoked)
        app.state.revoke_agent_access(app.state.agent(adl.agent_id), adl.customer_id)
    return adl


def test_a_revocation_sends_party_updated_signed_by_the_library(secret):
    receiver = Receiver()
    app = sandbox_sending(secret, receiver)
    adl = revoke_one(app)
    assert app.webhooks.drain()

    [request] = receiver.received
    headers = {name: request.headers[name] for name in ("webhook-id", "webhook-timestamp")}
    headers["webhook-signature"] = request.headers["webhook-signature"]
    event = Webhook(secret).verify(request.content, headers)
    assert event["type"] == "party.updated"
    assert event["object"] == "event"
    assert event["resourceType"] == "party"
    assert event["resourceId"] == adl.customer_id
    assert event["id"] == request.headers["webhook-id"]
    assert event["id"].startswith("evt_")
    assert event["data"]["object"]["id"] == adl.customer_id
    app.stop_webhooks()


def test_failed_deliveries_are_retried_with_growing_waits(secret):
    receiver = Receiver(answers=[500, None, 503, 200])
    app = sandbox_sending(secret, receiver, backoff=0.05)
    revoke_one(app)
    assert app.webhooks.drain()

    assert len(receiver.received) == 4
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    attempts = list(app.webhooks.log)
    assert [a.attempt for a in attempts] == [1, 2, 3, 4]
    assert [a.status for a in attempts] == [500, None, 503, 200]
    gaps = [(b.at - a.at).total_seconds() for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps[2] > gaps[0]  # backoff doubles
    app.stop_webhooks()


def test_a_sender_gives_up_after_its_last_attempt(secret):
    receiver = Receiver(answers=[500] * 10)
    app = sandbox_sending(secret, receiver, attempts=3)
    revoke_one(app)
    assert app.webhooks.drain()
    assert len(receiver.received) == 3
    app.stop_webhooks()


def test_duplicates_and_out_of_order_delivery(secret):
    receiver = Receiver()
    app = sandbox_sending(secret, receiver, duplicates=1.0, reorder=0.3)
    sent = [revoke_one(app).customer_id for _ in range(6)]
    assert app.webhooks.drain()

    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert len(ids) == 12
    assert len(set(ids)) == 6
    first_arrivals = {e["id"]: e["resourceId"] for e in reversed(receiver.events())}
    arrived = [first_arrivals[i] for i in dict.fromkeys(ids)]
    assert arrived != sent  # later changes overtook earlier ones
    assert sorted(arrived) == sorted(sent)
    assert sorted({e["resourceId"] for e in receiver.events()}) == sorted(set(sent))
    app.stop_webhooks()


def test_a_rotation_signs_with_both_secrets_during_the_grace(secret):
    receiver = Receiver()
    app = sandbox_sending(secret, receiver)
    newer = new_secret()
    app.webhooks.rotate(newer, grace_seconds=60)
    revoke_one(app)
    assert app.webhooks.drain()  # signed when sent: with both while the grace lasts
    app.webhooks.rotate(new_secret(), grace_seconds=0)  # and then the grace is over
    revoke_one(app)
    assert app.webhooks.drain()

    def verifies(request, key):
        headers = {n: request.headers[n] for n in ("webhook-id", "webhook-timestamp")}
        headers["webhook-signature"] = request.headers["webhook-signature"]
        try:
            Webhook(key).verify(request.content, headers)
        except WebhookVerificationError:
            return False
        return True

    during, after = receiver.received
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert verifies(during, secret)
    assert verifies(during, newer)
    assert not verifies(after, secret)
    app.stop_webhooks()


def test_which_changes_send_which_event(secret):
    receiver = Receiver()
    app = sandbox_sending(secret, receiver)
    with app.state.lock:
        agent = next(iter(app.state.agents))
        customer = next(iter(app.state.customers))
        to_customer, to_stranger = (
            app.state.create_invitations(
                agent, [recipient], [], None, app.clock.now() + timedelta(days=3)
            )[0]
            for recipient in (
                Recipient("party_id", customer.party.id),
                Recipient("email", "stranger@example.com"),
            )
        )
        app.state.accept_invitation(to_customer)
        app.state.decline_invitation(to_stranger)  # no party to name: no event
    assert app.webhooks.drain()

    assert [(e["type"], e["resourceId"]) for e in sorted_by_time(receiver.events())] == [
        ("party.updated", customer.party.id),
        ("party.delegation_granted", customer.party.id),
    ]
    app.stop_webhooks()


def sorted_by_time(events):
    return sorted(events, key=lambda e: e["createdAt"])


def test_a_disabled_sender_sends_nothing(secret):
    receiver = Receiver()
    app = sandbox_sending(secret, receiver)
    app.webhooks.configure(enabled=False)
    revoke_one(app)
    assert app.webhooks.drain()
    assert receiver.received == []
    app.stop_webhooks()
