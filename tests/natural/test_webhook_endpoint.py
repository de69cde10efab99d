"""Real signed deliveries to the webhook endpoint: what is kept, what is refused and why."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import SecurityEvent
from natural.models import WebhookDelivery
from tests.natural.webhook_signing import envelope, new_secret, signed

URL = "/webhooks/natural/"
State = WebhookDelivery.State


@pytest.fixture
def secret(settings) -> str:
    value = new_secret()
    settings.NATURAL_WEBHOOK_SECRETS = [value]
    return value


@pytest.fixture
def sender() -> Client:
    """Natural: no session, no CSRF token (the test client enforces CSRF like a browser)."""
    return Client(enforce_csrf_checks=True)


def deliver(sender: Client, body: bytes, headers: dict[str, str]):
    return sender.post(URL, body, content_type="application/json", **headers)


def some_customer(natural):
    return next(iter(natural.state.customers.page(below=None, limit=1, include=None).items))


def test_a_valid_delivery_is_verified_stored_and_synced(natural, secret, sender):
    customer = some_customer(natural)
    event = envelope("party.updated", customer.party.id)
    response = deliver(sender, *signed(event, secret))

    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert (delivery.webhook_id, delivery.event_type, delivery.resource_id) == (
        event["id"],
        "party.updated",
        customer.party.id,
    )
    assert delivery.state == State.PROCESSED
    assert delivery.payload == event
    assert delivery.processed_at is not None
    from read_model.models import IndexedCustomer

    assert IndexedCustomer.objects.get(party_id=customer.party.id).name == customer.party.name
    assert not SecurityEvent.objects.exists()


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        ("tampered body", "no signature matches a configured secret"),
        ("wrong secret", "no signature matches a configured secret"),
        ("old timestamp", "timestamp older than 5 minutes"),
        ("future timestamp", "timestamp more than 5 minutes ahead"),
        ("no signature", "missing webhook-id, webhook-timestamp or webhook-signature"),
        ("malformed signature", "malformed webhook-signature"),
    ],
)
def test_a_bad_delivery_is_refused_logged_and_not_synced(db, secret, sender, spoil, reason):
    event = envelope("party.updated", "pty_" + "a" * 32)
    at = time.time()
    if spoil == "old timestamp":
        at -= 6 * 60
    if spoil == "future timestamp":
        at += 6 * 60
    body, headers = signed(event, new_secret() if spoil == "wrong secret" else secret, at=at)
    if spoil == "tampered body":
        body = body.replace(b"party.updated", b"party.deleted")
    if spoil == "no signature":
        del headers["HTTP_WEBHOOK_SIGNATURE"]
    if spoil == "malformed signature":
        headers["HTTP_WEBHOOK_SIGNATURE"] = "v1;not-base64!"

    response = deliver(sender, body, headers)

    assert response.status_code == 401
    assert response.json() == {"error": reason}
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == State.REFUSED
    assert delivery.reason == reason
    assert delivery.payload is None  # nothing unverified is kept
    logged = SecurityEvent.objects.get()
    assert logged.kind == SecurityEvent.Kind.WEBHOOK_REFUSED
    assert reason in logged.detail
    assert event["id"] in logged.detail
    assert secret not in logged.detail


def test_a_replayed_event_id_is_counted_not_processed_again(natural, secret, sender):
    customer = some_customer(natural)
    event = envelope("party.updated", customer.party.id)
    assert deliver(sender, *signed(event, secret)).status_code == 200
    natural.clear_request_log()

    again = deliver(sender, *signed(event, secret))

    assert again.status_code == 200
    assert again.json()["repeat"] is True
    delivery = WebhookDelivery.objects.get()
    assert delivery.repeats == 1
    assert delivery.state == State.PROCESSED
    assert natural.request_log_snapshot() == []  # Natural was not read again


def test_a_refused_delivery_does_not_block_the_real_one_with_its_id(db, secret, sender):
    event = envelope("wallet.created", "wal_" + "b" * 32)
    deliver(sender, *signed(event, new_secret()))  # a forger guessed the id first
    assert deliver(sender, *signed(event, secret)).status_code == 200
    states = sorted(WebhookDelivery.objects.values_list("state", flat=True))
    assert states == [State.IGNORED, State.REFUSED]


@pytest.mark.parametrize(
    ("configured", "signed_with", "accepted"),
    [
        (("new", "old"), ("old",), True),  # mid-rotation: the sender still signs with the old
        (("new", "old"), ("new",), True),
        (("old",), ("new", "old"), True),  # the sender signs with both, we know the old one
        (("new",), ("new", "old"), True),
        (("new",), ("old",), False),  # rotation over: the old secret no longer opens the door
    ],
)
def test_two_secrets_during_a_rotation(db, settings, sender, configured, signed_with, accepted):
    secrets = {"new": new_secret(), "old": new_secret()}
    settings.NATURAL_WEBHOOK_SECRETS = [secrets[name] for name in configured]
    event = envelope("wallet.created", "wal_" + "c" * 32)
    response = deliver(sender, *signed(event, *(secrets[name] for name in signed_with)))
    assert response.status_code == (200 if accepted else 401)


def test_unknown_event_types_are_kept_and_ignored(natural, secret, sender):
    event = envelope("external_account.connected", "eac_" + "d" * 32)
    assert deliver(sender, *signed(event, secret)).status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == State.IGNORED
    assert "not an event this dashboard uses" in delivery.reason
    assert delivery.payload == event
    assert natural.request_log_snapshot() == []


def test_without_secrets_the_endpoint_is_off(db, settings, sender):
    settings.NATURAL_WEBHOOK_SECRETS = []
    event = envelope("party.updated", "pty_" + "e" * 32)
    response = deliver(sender, *signed(event, new_secret()))
    assert response.status_code == 404
    assert not WebhookDelivery.objects.exists()


def test_only_post_is_answered(db, secret, sender):
    assert sender.get(URL).status_code == 405


def test_natural_being_down_marks_the_delivery_failed(natural_down, secret, sender):
    event = envelope("party.updated", "pty_" + "f" * 32)
    response = deliver(sender, *signed(event, secret))
    assert response.status_code == 200  # received: the sync failing is our problem, not Natural's
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == State.FAILED
    assert delivery.reason.startswith("Natural:")


def test_prune_removes_deliveries_older_than_30_days(db):
    now = timezone.now()
    for days in (31, 29):
        WebhookDelivery.objects.create(
            received_at=now - timedelta(days=days), state=State.REFUSED, reason="old"
        )
    out = io.StringIO()
    call_command("prune", stdout=out)
    assert "Removed 1 webhook deliveries older than 30 days." in out.getvalue()
    assert list(WebhookDelivery.objects.values_list("reason", flat=True)) == ["old"]
    assert WebhookDelivery.objects.get().received_at > now - timedelta(days=30)
