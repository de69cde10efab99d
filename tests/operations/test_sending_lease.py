"""A part on the wire longer than the sending lease keeps its claim while its sender lives: the
watch, reconcile and the other senders leave it alone, and it is sent once. A sender that dies
stops renewing, so its part expires after the lease as before and is sent again with its key."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import httpx
import pytest
from django.db import connections
from django.utils import timezone

from operations import batches, engine
from operations import models as operation_models
from operations.models import Batch, Operation, State
from operations.reconcile import CannotReconcile, reconcile
from sandbox.testing import SandboxTransport
from tests.operations.support import emails, invitations_to, invite_arguments

pytestmark = pytest.mark.django_db(transaction=True)

# The lease shrunk to two seconds, so a request held on the wire for a few seconds outlives it.
LEASE_SECONDS = 2.0
HELD_FOR_LEASES = 2.5


class SenderKilled(BaseException):
    """The sending process dying mid-request: nothing of the sender runs after it."""


class HoldingTransport(httpx.BaseTransport):
    """Natural receives the first invite at once but its answer stays on the wire until the test
    releases it (or the sender is killed); every other request passes straight through."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.on_wire = threading.Event()
        self.release = threading.Event()
        self.kill = False
        self.writes: list[str] = []
        self.senders: list[threading.Thread] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST":
            return self.inner.handle_request(request)
        with self._lock:
            self.writes.append(request.headers["Idempotency-Key"])
            first = len(self.writes) == 1
        response = self.inner.handle_request(request)
        if first:
            self.on_wire.set()
            self.release.wait(timeout=60)
            if self.kill:
                raise SenderKilled
        return response


@pytest.fixture
def short_lease(monkeypatch):
    monkeypatch.setattr(operation_models, "longest_silence", lambda: LEASE_SECONDS / 2)
    monkeypatch.setattr(operation_models, "LEASE_MARGIN_SECONDS", LEASE_SECONDS / 2)


@pytest.fixture
def held(natural):
    from natural import client

    transport = HoldingTransport(SandboxTransport(natural))
    client.use_transport(transport)
    yield transport
    transport.release.set()
    for sender in transport.senders:
        sender.join(timeout=30)


def one_part_batch(admin, agent_id, recipients) -> Batch:
    arguments = invite_arguments(admin, agent_id, recipients)
    part = engine.Part(
        method=arguments["method"],
        path=arguments["path"],
        body=arguments["body"],
        idempotent=True,
        target=arguments["target"],
    )
    return engine.create_batch(
        key=uuid.uuid4(), actor=admin, action=arguments["action"], parts=[part]
    )


def send_in_background(batch: Batch, held: HoldingTransport) -> threading.Thread:
    """A sender on another thread (as a worker would be), its own database connection."""

    def sender():
        try:
            batches.send_some(batch)
        except SenderKilled:
            pass
        finally:
            connections.close_all()

    thread = threading.Thread(target=sender)
    held.senders.append(thread)
    thread.start()
    return thread


def test_a_part_on_the_wire_longer_than_the_lease_is_not_taken_for_dead(
    natural, held, short_lease, admin, agent_id
):
    recipients = emails(3, start=700)
    batch = one_part_batch(admin, agent_id, recipients)
    sender = send_in_background(batch, held)
    assert held.on_wire.wait(timeout=30)
    part = batch.operations.get()

    on_wire_until = time.monotonic() + HELD_FOR_LEASES * LEASE_SECONDS
    looks = 0
    while time.monotonic() < on_wire_until:
        part.refresh_from_db()
        assert part.state == State.SENDING
        assert not part.is_stale_sending, "its sender is alive: the lease is renewed"
        assert not Operation.objects.needing_attention().exists(), "nothing flagged"
        assert batches.watch() == [], "the batch still has its sender"
        with pytest.raises(CannotReconcile):
            reconcile(part, actor=admin)
        assert batches.next_part(batch) is None, "no other sender takes the part"
        looks += 1
        time.sleep(0.2)
    held.release.set()
    sender.join(timeout=30)

    part.refresh_from_db()
    assert looks > 5
    assert part.state == State.SUCCEEDED
    assert held.writes == [str(part.key)], "sent exactly once"
    assert part.attempts.count() == 1
    assert len(invitations_to(natural, [r.value for r in recipients])) == 3


def test_the_timer_never_writes_over_a_claim_another_process_holds(
    natural, held, short_lease, admin, agent_id
):
    """Once the row is not the sender's any more (another sender claimed it after the lease ran
    out, or reconcile settled it), the timer leaves it exactly as the other process wrote it."""
    batch = one_part_batch(admin, agent_id, emails(1, start=740))
    send_in_background(batch, held)
    assert held.on_wire.wait(timeout=30)
    part = batch.operations.get()
    others = timezone.now() - timedelta(seconds=1)
    Operation.objects.filter(pk=part.pk).update(sending_since=others)

    time.sleep(LEASE_SECONDS)
    part.refresh_from_db()
    assert (part.state, part.sending_since) == (State.SENDING, others)


def test_a_killed_sender_s_part_expires_after_the_lease_and_is_sent_again_with_its_key(
    natural, held, short_lease, admin, agent_id
):
    recipients = emails(2, start=720)
    batch = one_part_batch(admin, agent_id, recipients)
    sender = send_in_background(batch, held)
    assert held.on_wire.wait(timeout=30)
    held.kill = True
    held.release.set()
    sender.join(timeout=30)
    part = batch.operations.get()

    deadline = time.monotonic() + 20 * LEASE_SECONDS
    while not part.is_stale_sending and time.monotonic() < deadline:
        time.sleep(0.1)
        part.refresh_from_db()
    assert part.is_stale_sending, "nobody renews the lease of a dead sender"
    assert Operation.objects.needing_attention().get() == part

    assert batches.watch() == [batch.pk]
    part.refresh_from_db()
    assert part.state == State.SUCCEEDED
    assert part.result["replayed"] is True, "Natural had applied the first send"
    assert held.writes == [str(part.key)] * 2, "the same key again"
    assert len(invitations_to(natural, [r.value for r in recipients])) == 2
