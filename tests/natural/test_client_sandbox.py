"""Writes through the client against the sandbox: replays, dropped connections, rejections."""

from __future__ import annotations

import json
import uuid

import pytest

from natural.client import get_client
from natural.errors import NaturalOutcomeUnknown, NaturalRejected
from natural.records import parse_delegation_invitation, parse_one, parse_write_result


def body(attributes: dict) -> bytes:
    return json.dumps({"data": {"attributes": attributes}}, separators=(",", ":")).encode()


def batch_invite(agent_id: str, key: str, address: str = "new.customer@example.com"):
    return get_client().send(
        "POST",
        f"/agents/{agent_id}/customers",
        body=body(
            {
                "recipients": [{"type": "email", "value": address}],
                "permissions": ["payments.read"],
            }
        ),
        idempotency_key=key,
        idempotent=True,
    )


def invite_to_delegate(address: str = "someone@example.com"):
    return get_client().send(
        "POST",
        "/agent-delegation-invitations",
        body=body({"customer_email": address, "permissions": ["payments.read"]}),
        idempotency_key=None,
        idempotent=False,
    )


@pytest.fixture
def agent_id(natural) -> str:
    return next(iter(natural.state.agents)).id


def test_a_dropped_keyed_write_is_retried_and_replayed_not_repeated(natural, agent_id):
    before = natural.counts()["invitations"]
    natural.faults.add("drop_after", method="POST")
    response = batch_invite(agent_id, str(uuid.uuid4()))
    assert response.attempts == 2
    assert response.replayed
    assert natural.counts()["invitations"] == before + 1
    (row,) = parse_write_result(response.json).resources
    assert row.recipient_value == "new.customer@example.com"
    keys = {call.idempotency_key for call in natural.request_log_snapshot()}
    assert len(keys) == 1


def test_a_dropped_unkeyed_write_is_unknown_and_sent_once(natural):
    before = natural.counts()["delegationInvitations"]
    natural.faults.add("drop_after", method="POST")
    with pytest.raises(NaturalOutcomeUnknown):
        invite_to_delegate()
    assert len(natural.request_log_snapshot()) == 1
    # It did happen: which is exactly why it must not be sent again blindly.
    assert natural.counts()["delegationInvitations"] == before + 1


def test_an_unkeyed_write_succeeds(natural):
    response = invite_to_delegate("ann@example.com")
    invitation = parse_one(response.json, parse_delegation_invitation)
    assert response.status == 201
    assert invitation.customer_email == "ann@example.com"
    assert invitation.status == "PENDING"


def test_a_bad_email_is_rejected_with_a_pointer_and_a_support_id(natural):
    with pytest.raises(NaturalRejected) as raised:
        invite_to_delegate("not-an-email")
    (error,) = raised.value.errors
    assert error.pointer == "/data/attributes/customer_email"
    assert raised.value.support_id.startswith("req_")
    assert raised.value.status == 422


def test_the_same_key_with_another_body_is_rejected(natural, agent_id):
    key = str(uuid.uuid4())
    batch_invite(agent_id, key, "first@example.com")
    with pytest.raises(NaturalRejected) as raised:
        batch_invite(agent_id, key, "second@example.com")
    assert raised.value.status == 409
    assert raised.value.errors[0].reason == "IDEMPOTENCY_KEY_REUSED"
    assert len(natural.request_log_snapshot()) == 2
