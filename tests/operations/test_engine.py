"""The engine: one key per operation, persisted before sending, sent once, resent identically."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from operations import engine
from operations.models import Operation, OperationAttempt, State
from operations.reconcile import reconcile
from tests.operations.support import emails, invitations_to, invite_arguments, upstream_writes

pytestmark = pytest.mark.django_db


def test_a_successful_send_records_result_and_one_attempt(natural, submit_invite):
    operation = submit_invite(emails(3))
    assert operation.state == State.SUCCEEDED
    assert len(operation.created_ids) == 3
    assert all(item_id.startswith("adi_") for item_id in operation.created_ids)
    assert operation.result["replayed"] is False
    assert operation.result["emailFailures"] == []
    assert operation.finished_at is not None
    (attempt,) = operation.attempts.all()
    assert attempt.status == 201
    assert attempt.body_sha256 == operation.body_sha256


def test_running_a_finished_operation_again_sends_nothing(natural, submit_invite):
    operation = submit_invite()
    again = engine.run(operation)
    assert again.state == State.SUCCEEDED
    assert len(upstream_writes(natural)) == 1


def test_preparing_the_same_key_twice_returns_the_same_row(natural, admin, agent_id):
    arguments = invite_arguments(admin, agent_id)
    first = engine.prepare(**arguments)
    second = engine.prepare(**arguments)
    assert first.pk == second.pk
    assert Operation.objects.count() == 1


def test_a_key_cannot_be_reused_for_other_bytes(natural, admin, agent_id):
    key = uuid.uuid4()
    engine.prepare(**invite_arguments(admin, agent_id, emails(1), key))
    with pytest.raises(engine.KeyReused):
        engine.prepare(**invite_arguments(admin, agent_id, emails(2), key))


def test_the_row_is_committed_before_the_first_byte(natural, admin, agent_id, monkeypatch):
    from natural import client

    seen = []

    def look_then_refuse(request):
        seen.append(Operation.objects.get(key=request.headers["Idempotency-Key"]).state)
        raise httpx.ConnectError("refused", request=request)

    client.use_transport(httpx.MockTransport(look_then_refuse))
    operation = engine.submit(**invite_arguments(admin, agent_id))
    assert seen
    assert set(seen) == {State.SENDING}
    # A refused connection proves nothing left: not sent, and safe to send again.
    assert operation.state == State.PENDING
    assert operation.result["not_sent"] is True
    assert Operation.objects.filter(pk=operation.pk).exists()


def test_same_key_and_identical_bytes_on_every_attempt(natural, wire, submit_invite):
    natural.faults.add("error", status=503, count=2, method="POST")
    operation = submit_invite()
    assert operation.state == State.SUCCEEDED
    writes = wire.writes()
    assert len(writes) == 3
    assert {request.headers["Idempotency-Key"] for request in writes} == {str(operation.key)}
    assert {request.content for request in writes} == {operation.body_bytes}
    assert re.fullmatch(r"[0-9a-f-]{36}", str(operation.key))
    attempts = list(operation.attempts.values_list("status", "body_sha256"))
    assert attempts == [(503, operation.body_sha256)] * 2 + [(201, operation.body_sha256)]


def test_no_token_or_auth_header_is_stored(natural, submit_invite):
    from tests.fixtures.natural import SANDBOX_TOKEN

    operation = submit_invite()
    stored = repr(
        list(Operation.objects.values()) + list(OperationAttempt.objects.values())
    ).lower()
    assert SANDBOX_TOKEN.lower() not in stored
    assert "authorization" not in stored
    assert "bearer" not in stored
    assert operation.pk


def test_three_503s_end_unknown_then_retry_succeeds_with_the_same_key(natural, wire, submit_invite):
    natural.faults.add("error", status=503, count=3, method="POST")
    operation = submit_invite(emails(2))
    assert operation.state == State.UNKNOWN
    assert operation.attempts.count() == 3
    assert operation.can_retry_same_key

    operation = engine.retry(operation)
    assert operation.state == State.SUCCEEDED
    assert len(operation.created_ids) == 2
    assert {r.headers["Idempotency-Key"] for r in wire.writes()} == {str(operation.key)}
    assert list(operation.attempts.values_list("number", "round")) == [
        (1, 1),
        (2, 1),
        (3, 1),
        (4, 2),
    ]


def test_a_dropped_connection_after_commit_is_replayed_not_duplicated(natural, submit_invite):
    recipients = emails(4)
    natural.faults.add("drop_after", count=1, method="POST")
    operation = submit_invite(recipients)
    # The client retried with the same key: Natural answered with the stored result.
    if operation.state == State.UNKNOWN:
        operation = engine.retry(operation)
    assert operation.state == State.SUCCEEDED
    assert operation.result["replayed"] is True
    assert operation.attempts.filter(replayed=True).exists()
    created = invitations_to(natural, [r.value for r in recipients])
    assert len(created) == 4
    assert sorted(i.id for i in created) == sorted(operation.created_ids)


def test_a_422_is_failed_with_errors_and_pointers(natural, admin, agent_id):
    from operations.recipients import Recipient

    missing_party = Recipient("party_id", "pty_" + "0" * 32)
    operation = engine.submit(**invite_arguments(admin, agent_id, [missing_party]))
    assert operation.state == State.FAILED
    (error,) = operation.errors
    assert error["pointer"] == "/data/attributes/recipients/0/value"
    assert error["support_id"]
    assert operation.attempts.count() == 1


def test_retry_is_refused_after_the_replay_window(natural, submit_invite):
    natural.faults.add("error", status=503, count=3, method="POST")
    operation = submit_invite()
    Operation.objects.filter(pk=operation.pk).update(
        first_sent_at=timezone.now() - timedelta(hours=49)
    )
    operation.refresh_from_db()
    assert not operation.can_retry_same_key
    assert operation.can_reconcile
    with pytest.raises(engine.CannotRetry):
        engine.retry(operation)


def test_a_non_idempotent_unknown_is_never_resent(natural, admin):
    from natural import writes

    natural.faults.add("error", status=503, count=1, method="POST")
    operation = engine.submit(
        key=uuid.uuid4(),
        actor=admin,
        action="create_delegation_invitation",
        method="POST",
        path=writes.DELEGATION_INVITATIONS_PATH,
        body=writes.delegation_invitation_body(
            "someone@example.com",
            ["payments.read"],
            [
                writes.ProposedAgent(
                    next(iter(natural.state.agents)).id, ("payments.read",), None, None, None
                )
            ],
            7,
        ),
        idempotent=False,
        target={"customer_email": "someone@example.com"},
    )
    assert operation.state == State.UNKNOWN
    assert len(upstream_writes(natural)) == 1
    with pytest.raises(engine.CannotRetry):
        engine.retry(operation)


def test_reconcile_records_what_natural_has(natural, submit_invite):
    recipients = emails(3, start=50)
    natural.faults.add("drop_after", count=3, method="POST")
    operation = submit_invite(recipients)
    assert operation.state == State.UNKNOWN
    attempts_before = list(operation.attempts.values())

    operation = reconcile(operation, actor=operation.actor)
    assert operation.reconciliation["outcome"] == "found"
    assert len(operation.reconciliation["found"]) == 3
    assert operation.state == State.SUCCEEDED
    assert list(operation.attempts.values()) == attempts_before


def test_reconcile_says_absent_when_nothing_was_created(natural, submit_invite):
    natural.faults.add("drop_before", count=3, method="POST")
    operation = submit_invite(emails(2, start=80))
    assert operation.state == State.UNKNOWN
    operation = reconcile(operation, actor=operation.actor)
    assert operation.reconciliation["outcome"] == "absent"


def test_audit_rows_cannot_be_deleted(natural, submit_invite):
    operation = submit_invite()
    with pytest.raises(PermissionError):
        operation.delete()
    with pytest.raises(PermissionError):
        Operation.objects.all().delete()
    with pytest.raises(PermissionError):
        OperationAttempt.objects.all().delete()
    assert Operation.objects.count() == 1


def test_a_batch_commits_every_part_before_sending(natural, admin, agent_id, monkeypatch):
    from natural import client

    counts = []

    def count_then_refuse(request):
        counts.append(Operation.objects.filter(state=State.PENDING).count())
        raise httpx.ConnectError("refused", request=request)

    client.use_transport(httpx.MockTransport(count_then_refuse))
    parts = [
        engine.Part("POST", f"/agents/{agent_id}/customers", b"{}", True, {}) for _ in range(3)
    ]
    batch = engine.create_batch(
        key=uuid.uuid4(), actor=admin, action="invite_customers", parts=parts
    )
    assert batch.operations.count() == 3
    assert [op.key for op in batch.operations.order_by("chunk_index")] == [
        engine.chunk_key(batch.key, index) for index in range(3)
    ]
    engine.run_batch(batch)
    assert counts[0] == 2
