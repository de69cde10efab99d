"""A filter is never trusted to have been applied: rows that do not match what was asked are
dropped (and logged), and the names sent are the ones the API in front of us understands."""

from __future__ import annotations

import logging
import re

import pytest
from django.urls import reverse

from natural import client
from tests.hostile.upstreams import GenerationBDelegations, IgnoresFilters

pytestmark = pytest.mark.django_db


def _customer_with_delegations(natural, least: int = 1) -> str:
    counts: dict[str, int] = {}
    for adl in natural.state.agent_delegations:
        if not adl.is_revoked:
            counts[adl.customer_id] = counts.get(adl.customer_id, 0) + 1
    return next(customer for customer, count in counts.items() if count >= least)


def _adl_ids(html: str) -> set[str]:
    return set(re.findall(r'data-copy="(adl_[0-9a-f]{32})"', html))


def _owners(natural, ids) -> set[str]:
    return {natural.state.agent_delegation(adl_id).customer_id for adl_id in ids}


def test_a_customer_page_never_shows_another_customers_delegations(natural, support_client, caplog):
    client.use_transport(IgnoresFilters(natural))
    customer = _customer_with_delegations(natural)

    with caplog.at_level(logging.WARNING, logger="natural.reads"):
        html = support_client.get(reverse("customer-detail", args=[customer])).content.decode()

    shown = _adl_ids(html)
    assert _owners(natural, shown) <= {customer}
    assert any("did not apply" in record.getMessage() for record in caplog.records)


def test_the_delegations_table_drops_rows_of_other_parties(natural, support_client):
    client.use_transport(IgnoresFilters(natural))
    customer = _customer_with_delegations(natural)

    response = support_client.get(reverse("delegation-list"), {"party": customer, "limit": 100})

    assert response.status_code == 200
    assert _owners(natural, _adl_ids(response.content.decode())) <= {customer}


def test_the_invitations_table_drops_rows_of_other_statuses_and_agents(natural, support_client):
    client.use_transport(IgnoresFilters(natural))
    agent = next(iter(natural.state.agents)).id

    response = support_client.get(
        reverse("invitation-list"), {"status": "ACCEPTED", "agent": agent, "limit": 100}
    )

    assert response.status_code == 200
    rows = response.context["rows"]
    now = natural.clock.now()
    for row in rows:
        invitation = natural.state.invitations.get(row["id"])
        assert invitation.agent_id == agent
        assert invitation.effective_status(now) == "ACCEPTED"


def test_the_invitations_table_drops_rows_for_other_emails(natural, support_client):
    client.use_transport(IgnoresFilters(natural))

    response = support_client.get(
        reverse("invitation-list"), {"email": "nobody-at-all@example.com", "limit": 100}
    )

    assert response.status_code == 200
    assert response.context["rows"] == []


def test_the_delegation_invitations_table_drops_rows_of_other_statuses(natural, support_client):
    client.use_transport(IgnoresFilters(natural))

    response = support_client.get(
        reverse("delegation-invitation-list"), {"status": "DECLINED", "limit": 100}
    )

    assert response.status_code == 200
    assert all(row["badge"]["label"] == "Declined" for row in response.context["rows"])


def test_a_generation_b_upstream_is_asked_with_its_own_names(natural, support_client):
    upstream = GenerationBDelegations(natural)
    client.use_transport(upstream)
    customer = _customer_with_delegations(natural)

    for _ in range(2):
        response = support_client.get(reverse("delegation-list"), {"party": customer})
        assert _owners(natural, _adl_ids(response.content.decode())) <= {customer}

    last = upstream.seen[-1].url.params
    assert last.get("delegatorPartyId") == customer
    assert "delegating_party_id" not in last
    assert _adl_ids(response.content.decode()), "the filtered rows are found"
