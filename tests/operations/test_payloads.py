"""The exact bytes each write sends: stable, compact, in the documented shapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from natural import writes
from operations.recipients import Recipient


def test_invite_body_matches_the_documented_shape():
    body = writes.invite_customers_body(
        [Recipient("email", "ops@example.com"), Recipient("phone", "+14155550123")],
        ["payments.create", "payments.read"],
        100000,
        datetime(2026, 1, 18, 12, 0, tzinfo=UTC),
    )
    assert body == (
        b'{"data":{"attributes":{"recipients":[{"type":"email","value":"ops@example.com"},'
        b'{"type":"phone","value":"+14155550123"}],"permissions":["payments.create",'
        b'"payments.read"],"limits":{"perTransaction":100000},'
        b'"expiresAt":"2026-01-18T12:00:00.000Z"}}}'
    )


def test_the_same_input_gives_the_same_bytes():
    def build():
        return writes.invite_customers_body(
            [Recipient("email", "é@example.com")],
            ["wallets.read"],
            1,
            datetime(2026, 1, 18, tzinfo=UTC),
        )

    assert build() == build()
    assert "é".encode() in build()


def test_chunks_of_at_most_one_hundred():
    sizes = [len(chunk) for chunk in writes.chunks(list(range(1000)))]
    assert sizes == [100] * 10
    assert [len(c) for c in writes.chunks(list(range(101)))] == [100, 1]


def test_delegation_body_is_snake_case_with_camel_limits():
    body = writes.delegation_invitation_body(
        "customer@example.com",
        ["payments.create", "wallets.read"],
        [
            writes.ProposedAgent(
                "agt_019cd1798d637a4da75dce386343931d", ("payments.create",), 5000, None, None
            )
        ],
        7,
    )
    assert json.loads(body) == {
        "data": {
            "attributes": {
                "customer_email": "customer@example.com",
                "permissions": ["payments.create", "wallets.read"],
                "proposed_agents": [
                    {
                        "agent_id": "agt_019cd1798d637a4da75dce386343931d",
                        "permissions": ["payments.create"],
                        "limits": {"perTransaction": 5000, "daily": None, "monthly": None},
                    }
                ],
                "expires_in_days": 7,
            }
        }
    }
