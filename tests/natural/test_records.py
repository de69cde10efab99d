"""Parsing Natural's JSON into records: both casings, documented nulls, unknown fields."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from natural.records import (
    Limits,
    Money,
    Page,
    parse_agent,
    parse_agent_delegation,
    parse_agent_invitation,
    parse_customer,
    parse_delegation_invitation,
    parse_errors,
    parse_one,
    parse_page,
    parse_write_result,
)
from tests.natural.casing import to_camel_case, to_snake_case
from tests.natural.seed_payloads import (
    AGENT_DELEGATIONS_RESPONSE,
    AGENT_INVITATIONS_RESPONSE,
    BATCH_RESPONSE,
    CUSTOMERS_RESPONSE,
    DELEGATION_INVITATION_RESPONSE,
)

AGENT_RESOURCE = {
    "type": "agent",
    "id": "agt_3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f",
    "attributes": {
        "name": "Invoice Agent",
        "description": None,
        "status": "ACTIVE",
        "limits": {"perTransaction": 250000},
        "createdAt": "2026-01-02T03:04:05.000Z",
        "observability": None,
    },
    "relationships": {"party": {"data": {"type": "party", "id": "pty_1"}}},
}


def test_money_formats_cents_as_dollars():
    assert str(Money(100000)) == "$1,000.00"
    assert str(Money(5)) == "$0.05"
    assert str(Money(-123456)) == "-$1,234.56"
    assert Money(100000).dollars == Decimal("1000.00")


def test_customer_from_the_seed():
    page = parse_page(CUSTOMERS_RESPONSE, parse_customer)
    assert page == Page(items=page.items, next_cursor=None, has_more=False)
    (customer,) = page.items
    assert customer.id == "pty_4a8c9823f39c42a5b817556766551112"
    assert customer.name == "Acme Co"
    assert customer.created_at == datetime(2026, 1, 4, 15, 30, tzinfo=UTC)
    assert customer.delegation.id == "dlg_550e8400e29b41d4a716446655440000"
    assert customer.delegation.permissions == ("payments.read",)
    (agent,) = customer.agents
    assert agent.name == "Invoice Agent"
    assert agent.limits == Limits(per_transaction=Money(100000), daily=None, monthly=None)


def test_agent_invitation_from_the_seed():
    (invitation,) = parse_page(AGENT_INVITATIONS_RESPONSE, parse_agent_invitation)
    assert invitation.id.startswith("adi_")
    assert invitation.email == "ops@customer.com"
    assert invitation.agent_id == "agt_3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f"
    assert invitation.agent_name == "Invoice Agent"
    assert invitation.is_pending
    assert invitation.accepted_at is None
    assert invitation.customer_party_id is None
    assert invitation.agent_delegation_id is None
    assert invitation.limits.per_transaction == Money(100000)


def test_expires_within_counts_only_pending_invitations_in_the_window():
    (invitation,) = parse_page(AGENT_INVITATIONS_RESPONSE, parse_agent_invitation)
    day_before = datetime(2026, 1, 11, 12, 0, tzinfo=UTC)
    assert invitation.expires_within(24, day_before)
    assert not invitation.expires_within(1, day_before)
    assert not invitation.expires_within(24, datetime(2026, 1, 13, tzinfo=UTC))


def test_batch_result_from_the_seed():
    result = parse_write_result(BATCH_RESPONSE)
    assert [row.recipient_type for row in result.resources] == ["email", "phone", "party_id"]
    assert all(row.id.startswith("adi_") for row in result.resources)
    assert result.email_failures == ()


def test_delegation_invitation_from_the_seed_with_a_bare_null_relationship():
    invitation = parse_one(DELEGATION_INVITATION_RESPONSE, parse_delegation_invitation)
    assert invitation.id == "din_019cd3444a747fc494656a587201f193"
    assert invitation.customer_email == "customer@example.com"
    assert invitation.developer_party_id == "pty_019cd1798d617f65a79cb965dda9eac3"
    assert invitation.customer_party_id is None
    assert invitation.expires_at == datetime(2026, 2, 7, tzinfo=UTC)


def test_agent_delegation_from_the_seed_with_documented_nulls():
    page = parse_page(AGENT_DELEGATIONS_RESPONSE, parse_agent_delegation)
    assert not page.has_more
    (delegation,) = page.items
    assert delegation.agent_name is None
    assert delegation.limits is None
    assert delegation.delegation_id == "dlg_019cd36da26c7559a81b8d1b5ae415ee"
    assert delegation.delegating_party_id == "pty_019cd3444a6b7afe95c91cfdc74a46eb"
    assert delegation.delegated_party_id == "pty_019cd1798d617f65a79cb965dda9eac3"
    assert delegation.created_by == "usr_019cd3444a6c7c1e82cad58e0c4536b3"
    assert not delegation.is_revoked


@pytest.mark.parametrize("revoked_key", ["revoked_at", "revokedAt", "status"])
def test_an_undocumented_revocation_field_is_not_trusted(revoked_key):
    payload = copy.deepcopy(AGENT_DELEGATIONS_RESPONSE["data"][0])
    payload["attributes"][revoked_key] = "2026-03-01T00:00:00Z"
    delegation = parse_agent_delegation(payload)
    assert delegation.revocation == "unknown"


@pytest.mark.parametrize(
    ("payload", "parse"),
    [
        (CUSTOMERS_RESPONSE, parse_customer),
        (AGENT_INVITATIONS_RESPONSE, parse_agent_invitation),
        (AGENT_DELEGATIONS_RESPONSE, parse_agent_delegation),
        ({"data": [AGENT_RESOURCE], "meta": {"pagination": {"hasMore": False}}}, parse_agent),
    ],
    ids=["customers", "agent-invitations", "agent-delegations", "agents"],
)
def test_both_casings_of_a_page_give_equal_records(payload, parse):
    camel = parse_page(to_camel_case(payload), parse)
    snake = parse_page(to_snake_case(payload), parse)
    assert camel == snake
    assert camel.items


@pytest.mark.parametrize(
    ("payload", "parse"),
    [
        (DELEGATION_INVITATION_RESPONSE, parse_delegation_invitation),
        ({"data": AGENT_DELEGATIONS_RESPONSE["data"][0]}, parse_agent_delegation),
    ],
    ids=["delegation-invitation", "agent-delegation"],
)
def test_both_casings_of_one_resource_give_equal_records(payload, parse):
    camel = parse_one(to_camel_case(payload), parse)
    assert camel == parse_one(to_snake_case(payload), parse)
    assert camel.id


def test_both_casings_of_a_batch_result_are_equal():
    camel = parse_write_result(to_camel_case(BATCH_RESPONSE))
    assert camel == parse_write_result(to_snake_case(BATCH_RESPONSE))
    assert len(camel.resources) == 3


def test_generation_b_party_names_on_agent_delegations():
    resource = to_camel_case(AGENT_DELEGATIONS_RESPONSE["data"][0])
    assert "delegatorParty" in resource["relationships"]
    resource["attributes"]["delegatorPartyName"] = "Acme Co"
    delegation = parse_agent_delegation(resource)
    assert delegation.delegating_party_id == "pty_019cd3444a6b7afe95c91cfdc74a46eb"
    assert delegation.delegating_party_name == "Acme Co"


@pytest.mark.parametrize(
    "meta",
    [
        {"pagination": {"hasMore": True, "nextCursor": "cur_abc"}},
        {"pagination": {"has_more": True, "next_cursor": "cur_abc"}},
    ],
)
def test_page_cursor_in_either_casing(meta):
    page = parse_page({"data": [AGENT_RESOURCE], "meta": meta}, parse_agent)
    assert page.has_more
    assert page.next_cursor == "cur_abc"


def test_unknown_fields_are_ignored_and_missing_meta_means_last_page():
    resource = copy.deepcopy(AGENT_RESOURCE)
    resource["attributes"]["somethingNew"] = {"nested": [1, 2]}
    resource["extra"] = True
    page = parse_page({"data": [resource]}, parse_agent)
    assert page.items[0].name == "Invoice Agent"
    assert not page.has_more
    assert page.next_cursor is None


def test_agent_without_limits_has_none():
    resource = copy.deepcopy(AGENT_RESOURCE)
    resource["attributes"]["limits"] = {"perTransaction": None}
    assert parse_agent(resource).limits is None


def test_limits_with_daily_and_monthly_from_generation_a():
    resource = copy.deepcopy(AGENT_RESOURCE)
    resource["attributes"]["limits"] = {"per_transaction": 5000, "daily": None, "monthly": 90000}
    assert parse_agent(resource).limits == Limits(Money(5000), None, Money(90000))


def test_datetimes_are_aware_utc_with_or_without_milliseconds():
    agent = parse_agent(AGENT_RESOURCE)
    assert agent.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert agent.created_at.tzinfo is UTC


def test_errors_envelope():
    (error,) = parse_errors(
        {
            "errors": [
                {
                    "code": "invalid_value",
                    "detail": "email: Invalid email address",
                    "status": "422",
                    "source": {"pointer": "/data/attributes/email"},
                    "meta": {"supportId": "req_a1b2c3d4e5f6"},
                }
            ]
        }
    )
    assert error.status == 422
    assert error.pointer == "/data/attributes/email"
    assert error.support_id == "req_a1b2c3d4e5f6"
    assert parse_errors("<html>bad gateway</html>") == ()
    assert parse_errors({"error": "Invalid ID prefix"}) == ()


def test_a_write_answer_is_read_in_either_casing():

    camel = {
        "data": [
            {
                "type": "customerInvitation",
                "id": "adi_" + "1" * 32,
                "attributes": {"recipient": {"type": "email", "value": "a@example.com"}},
            }
        ],
        "meta": {"emailFailures": [{"invitationId": "adi_" + "1" * 32, "reason": "bounced"}]},
    }
    snake = {
        "data": [
            {
                "type": "customer_invitation",
                "id": "adi_" + "1" * 32,
                "attributes": {"recipient": {"type": "email", "value": "a@example.com"}},
            }
        ],
        "meta": {"email_failures": [{"invitation_id": "adi_" + "1" * 32, "reason": "bounced"}]},
    }
    for payload in (camel, snake):
        result = parse_write_result(payload)
        assert [r.recipient_value for r in result.resources] == ["a@example.com"]
        assert result.email_failures == ({"invitationId": "adi_" + "1" * 32, "reason": "bounced"},)
    assert parse_write_result({"revoked_count": 3}).revoked_count == 3
    assert parse_write_result({"revokedCount": 2}).revoked_count == 2
    assert parse_write_result(None).resources == ()
