"""The edges of "never twice, never lost": a retry that cannot know, a form used twice, a second
submit while the first is on the wire, a part left sending by a dead process, two forms naming
the same people."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from operations import engine
from operations.models import Batch, Operation, State
from operations.reconcile import reconcile
from sandbox.testing import SandboxTransport
from tests.operations.invite_form import URL, form_data, form_key, preview_then_confirm
from tests.operations.support import emails, invitations_to, invite_arguments, upstream_writes

pytestmark = pytest.mark.django_db


def answer(status: int, body: dict | None = None):
    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body or {"errors": [{"status": str(status)}]})

    return httpx.MockTransport(respond)


def unknown_invite(natural, admin, agent_id) -> Operation:
    """An invite whose answer was lost after Natural committed it."""
    natural.faults.add("drop_after", count=5, path=r"^/agents/agt_[0-9a-f]+/customers$")
    operation = engine.submit(**invite_arguments(admin, agent_id, emails(1, start=900)))
    natural.faults.clear()
    assert operation.state == State.UNKNOWN
    return operation


# 2. A retry that cannot know


@pytest.mark.parametrize("status", [401, 403, 429, 500, 503])
def test_a_retry_answered_without_proof_stays_unknown(natural, admin, agent_id, status):
    from natural import client

    operation = unknown_invite(natural, admin, agent_id)
    client.use_transport(answer(status))
    operation = engine.retry(operation)
    assert operation.state == State.UNKNOWN
    assert operation.can_retry_same_key
    assert operation.can_reconcile

    client.use_transport(SandboxTransport(natural))
    operation = engine.retry(operation)
    assert operation.state == State.SUCCEEDED
    assert operation.result["replayed"] is True
    assert len(invitations_to(natural, ["person900@example.com"])) == 1


def test_a_retry_that_gets_no_answer_stays_unknown(natural, admin, agent_id):
    from natural import client

    operation = unknown_invite(natural, admin, agent_id)

    def refuse(request):
        raise httpx.ConnectError("refused", request=request)

    client.use_transport(httpx.MockTransport(refuse))
    assert engine.retry(operation).state == State.UNKNOWN


def test_a_retry_refused_for_its_content_proves_nothing_was_applied(natural, admin, agent_id):
    from natural import client

    operation = unknown_invite(natural, admin, agent_id)
    refusal = {"errors": [{"status": "422", "code": "VALIDATION_ERROR", "detail": "bad"}]}
    client.use_transport(answer(422, refusal))
    assert engine.retry(operation).state == State.FAILED


def test_a_final_429_on_the_first_send_is_not_sent_and_can_be_sent_again(natural, admin, agent_id):
    natural.faults.add(
        "rate_limit", retry_after=1, count=10, path=r"^/agents/agt_[0-9a-f]+/customers$"
    )
    operation = engine.submit(**invite_arguments(admin, agent_id, emails(1, start=910)))
    natural.faults.clear()
    assert operation.state == State.PENDING
    assert operation.result["not_sent"] is True
    assert operation.attempts.count() >= 1
    assert not operation.can_reconcile
    operation = engine.retry(operation)
    assert operation.state == State.SUCCEEDED
    assert len(invitations_to(natural, ["person910@example.com"])) == 1


# 6. A crash mid-send


def stale_sending(natural, admin, agent_id, seconds: int = 90) -> Operation:
    operation = engine.prepare(**invite_arguments(admin, agent_id, emails(2, start=920)))
    since = timezone.now() - timedelta(seconds=seconds)
    Operation.objects.filter(pk=operation.pk).update(
        state=State.SENDING, sending_since=since, first_sent_at=since
    )
    operation.refresh_from_db()
    return operation


def test_a_part_left_sending_by_a_dead_process_is_flagged_within_a_minute(
    natural, admin_client, admin, agent_id
):
    operation = stale_sending(natural, admin, agent_id, seconds=60)
    assert operation.needs_attention
    overview_card = admin_client.get("/?card=operations")
    assert overview_card.status_code == 200
    assert str(operation.key)[:8] in overview_card.text
    audit = admin_client.get("/audit/")
    assert "needs attention" in audit.text.lower()


def test_a_part_sending_right_now_is_not_flagged(natural, admin, agent_id):
    operation = stale_sending(natural, admin, agent_id, seconds=1)
    assert not operation.needs_attention
    assert not operation.can_reconcile


def test_reconcile_settles_a_part_left_sending(natural, admin, agent_id):
    operation = stale_sending(natural, admin, agent_id)
    operation = reconcile(operation, actor=admin)
    assert operation.state == State.UNKNOWN
    assert operation.reconciliation["outcome"] == "absent"
    operation = engine.retry(operation)
    assert operation.state == State.SUCCEEDED
    assert len(invitations_to(natural, ["person920@example.com", "person921@example.com"])) == 2


def test_reconcile_that_finds_everything_marks_the_part_succeeded(natural, admin, agent_id):
    operation = stale_sending(natural, admin, agent_id)
    # The dead process's request did reach Natural.
    from natural import client

    client.get_client().send(
        "POST",
        operation.path,
        body=operation.body_bytes,
        idempotency_key=str(operation.key),
        idempotent=True,
    )
    operation = reconcile(operation, actor=admin)
    assert operation.state == State.SUCCEEDED
    assert operation.reconciliation["outcome"] == "found"
    assert len(invitations_to(natural, ["person920@example.com", "person921@example.com"])) == 2


# 3 and 4. A form used twice with different content


def sent_batch(admin_client, agent_id, recipients="first@example.com") -> tuple[str, dict]:
    key = form_key(admin_client.get(URL).text)
    data = form_data(agent_id, key, recipients)
    _, confirm = preview_then_confirm(admin_client, data)
    response = admin_client.post(URL, confirm)
    assert response.status_code == 302
    return key, data


def test_an_old_form_sent_again_with_new_content_says_it_was_already_sent(
    natural, admin_client, agent_id
):
    key, data = sent_batch(admin_client, agent_id)
    batch = Batch.objects.get(key=key)
    edited = {**data, "recipients": "second@example.com", "step": "preview"}
    page = admin_client.post(URL, edited)
    assert page.status_code == 409
    assert "already sent" in page.text
    assert f"/operations/batches/{batch.key}/" in page.text
    assert "second@example.com" in page.text
    assert form_key(page.text) != key
    assert len(upstream_writes(natural)) == 1


def test_a_double_click_on_send_still_lands_on_the_batch(natural, admin_client, agent_id):
    key = form_key(admin_client.get(URL).text)
    _, confirm = preview_then_confirm(admin_client, form_data(agent_id, key))
    first = admin_client.post(URL, confirm)
    second = admin_client.post(URL, confirm)
    assert first["Location"] == second["Location"]
    assert len(upstream_writes(natural)) == 1


def test_same_key_different_content_at_the_same_time(natural, admin_client, agent_id, monkeypatch):
    from operations.views import invite

    key = form_key(admin_client.get(URL).text)
    _, first = preview_then_confirm(admin_client, form_data(agent_id, key, "one@example.com"))
    _, second = preview_then_confirm(admin_client, form_data(agent_id, key, "two@example.com"))
    real_create = engine.create_batch
    calls = []

    def first_request_wins_the_race(**arguments):
        # The second request got past "is there a batch with this key?" before the first
        # request created it: the first request runs to its end here.
        if not calls:
            calls.append(None)
            calls[0] = admin_client.post(URL, first)
        return real_create(**arguments)

    monkeypatch.setattr(invite.engine, "create_batch", first_request_wins_the_race)
    page = admin_client.post(URL, second)
    assert calls[0].status_code == 302
    assert page.status_code == 409
    assert "already" in page.text
    assert calls[0]["Location"] in page.text
    assert "two@example.com" in page.text
    assert len(invitations_to(natural, ["one@example.com", "two@example.com"])) == 1


def test_delegation_form_same_key_different_content_is_no_500(
    natural, admin_client, agent_id, monkeypatch
):
    page = admin_client.get("/delegation-invitations/new/")
    key = form_key(page.text)

    def data(email):
        return {
            "key": key,
            "customer_email": email,
            "permissions": ["payments.read"],
            "expires_in_days": "7",
            "agents-TOTAL_FORMS": "1",
            "agents-INITIAL_FORMS": "0",
            "agents-MIN_NUM_FORMS": "1",
            "agents-MAX_NUM_FORMS": "10",
            "agents-0-agent": agent_id,
            "agents-0-permissions": ["payments.read"],
        }

    real_prepare = engine.prepare
    calls = []

    def first_request_wins_the_race(**arguments):
        if not calls:
            calls.append(None)
            calls[0] = admin_client.post("/delegation-invitations/new/", data("a@example.com"))
        return real_prepare(**arguments)

    monkeypatch.setattr(engine, "prepare", first_request_wins_the_race)
    response = admin_client.post("/delegation-invitations/new/", data("b@example.com"))
    assert calls[0].status_code == 302
    assert response.status_code == 409
    assert "already" in response.text
    assert calls[0]["Location"] in response.text
    assert "b@example.com" in response.text


# 5. A second submit while the first is still sending


def test_a_second_submit_while_the_first_is_sending_says_being_sent_now(
    natural, manager_client, make_user
):
    from tests.operations.support import pending_invitations

    invitation = pending_invitations(natural, 1)[0]
    key = str(uuid.uuid4())
    form = {"key": key, "reason": "duplicate", "next": "/invitations/"}
    # The first submit has claimed the operation and is waiting for Natural.
    real_send = engine._send
    seen = []

    def second_click_meanwhile(operation, **kwargs):
        seen.append(manager_client.post(f"/invitations/{invitation.id}/cancel/", form, follow=True))
        return real_send(operation, **kwargs)

    import operations.engine as engine_module

    engine_module._send, saved = second_click_meanwhile, real_send
    try:
        first = manager_client.post(f"/invitations/{invitation.id}/cancel/", form, follow=True)
    finally:
        engine_module._send = saved
    second = seen[0]
    assert "being sent now" in second.text
    assert "may or may not" not in second.text
    assert "canceled" in first.text
    assert len([r for r in upstream_writes(natural) if r.method == "DELETE"]) == 1


# 7. Two forms, same people


def test_preview_leaves_out_recipients_already_invited_by_that_agent(
    natural, admin_client, agent_id
):
    sent_batch(admin_client, agent_id, "taken@example.com")
    key = form_key(admin_client.get(URL).text)
    data = form_data(agent_id, key, "taken@example.com\nfresh@example.com")
    preview = admin_client.post(URL, {**data, "step": "preview"})
    assert "already have a pending invitation" in preview.text
    assert "taken@example.com" in preview.text
    to_send = re.search(
        r"First recipients to invite \(1 of 1\)</summary>\s*<ol[^>]*>(.*?)</ol>", preview.text
    )
    assert re.findall(r"<li>(\S+) ", to_send.group(1)) == ["fresh@example.com"]
    _, confirm = preview_then_confirm(admin_client, data)
    admin_client.post(URL, confirm)
    assert len(invitations_to(natural, ["taken@example.com"])) == 1
    assert len(invitations_to(natural, ["fresh@example.com"])) == 1


def test_the_admin_may_choose_to_invite_them_again(natural, admin_client, agent_id):
    sent_batch(admin_client, agent_id, "taken@example.com")
    key = form_key(admin_client.get(URL).text)
    data = form_data(agent_id, key, "taken@example.com\nfresh@example.com", reinvite="on")
    preview, confirm = preview_then_confirm(admin_client, data)
    assert "already have a pending invitation" in preview.text
    admin_client.post(URL, confirm)
    assert len(invitations_to(natural, ["taken@example.com"])) == 2


def test_the_batch_page_says_being_sent_now_or_stuck(natural, admin_client, admin, agent_id):
    batch = engine.create_batch(
        key=uuid.uuid4(),
        actor=admin,
        action="invite_customers",
        target={"agent_id": agent_id},
        parts=[
            engine.Part(
                method="POST",
                path=arguments["path"],
                body=arguments["body"],
                idempotent=True,
                target=arguments["target"],
            )
            for arguments in (
                invite_arguments(admin, agent_id, emails(1, start=n)) for n in (940, 941)
            )
        ],
    )
    first, second = batch.operations.order_by("chunk_index")
    Operation.objects.filter(pk=first.pk).update(state=State.SENDING, sending_since=timezone.now())
    page = admin_client.get(f"/operations/batches/{batch.key}/")
    assert "being sent now" in page.text
    assert "stuck" not in page.text
    Operation.objects.filter(pk=first.pk).update(
        sending_since=timezone.now() - timedelta(seconds=60)
    )
    page = admin_client.get(f"/operations/batches/{batch.key}/")
    assert "being sent now" not in page.text
    assert "stuck" in page.text


def test_an_old_bulk_revoke_form_with_another_selection_is_told_it_was_used(
    natural, manager_client
):
    from tests.operations.support import active_delegations

    first, other = active_delegations(natural, 2)
    key = str(uuid.uuid4())
    url = "/delegations/bulk-revoke/"
    manager_client.post(url, {"key": key, "reason": "gone", "delegation": [first.id]})
    again = manager_client.post(url, {"key": key, "reason": "gone", "delegation": [other.id]})
    assert again.status_code == 409
    assert "This form was already used" in again.text
    deletes = [r for r in upstream_writes(natural) if r.method == "DELETE"]
    assert len(deletes) == 1
