"""Senders side by side on one batch: a part claimed by another sender costs no turn of the
shared pace, so the batch goes as fast as Natural's rate limit allows."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from operations import batches, engine
from operations.models import Operation, State
from tests.operations.support import emails, invite_arguments, upstream_writes

pytestmark = pytest.mark.django_db


def batch_of(admin, agent_id, parts: int):
    arguments = invite_arguments(admin, agent_id)
    return engine.create_batch(
        key=uuid.uuid4(),
        actor=admin,
        action=arguments["action"],
        parts=[
            engine.Part(
                method="POST",
                path=arguments["path"],
                body=invite_arguments(admin, agent_id, emails(2, start=800 + 2 * n))["body"],
                idempotent=True,
            )
            for n in range(parts)
        ],
    )


def test_a_part_another_sender_claimed_first_costs_no_turn(natural, admin, agent_id, monkeypatch):
    batch = batch_of(admin, agent_id, 3)
    turns = []
    monkeypatch.setattr(batches.pace, "wait_turn", lambda: turns.append(1) or 0.0)
    real_claim = engine.claim_and_send
    first = batch.operations.get(chunk_index=0)

    def claim_after_another_sender(operation, **kwargs):
        # Another sender claims part 0 between this sender's reading and its claim.
        Operation.objects.filter(pk=first.pk).update(
            state=State.SENDING, sending_since=timezone.now()
        )
        return real_claim(operation, **kwargs)

    monkeypatch.setattr(batches.engine, "claim_and_send", claim_after_another_sender)
    sent = batches.next_part(batch)

    assert sent.chunk_index == 1
    assert len(upstream_writes(natural)) == 1
    assert len(turns) == 1, "one turn of the pace for the one request sent"
