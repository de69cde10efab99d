"""The read operations against the sandbox in process: one upstream call each, both casings."""

from __future__ import annotations

from dataclasses import replace

import pytest

from natural import reads
from natural.client import get_client
from natural.errors import (
    NaturalCredentialsRefused,
    NaturalNotFound,
    NaturalUnavailable,
)
from natural.models import ApiCall
from natural.records import (
    parse_agent,
    parse_agent_delegation,
    parse_agent_invitation,
    parse_customer,
    parse_delegation_invitation,
    parse_one,
    parse_page,
)
from tests.natural.casing import to_camel_case, to_snake_case

pytestmark = pytest.mark.django_db


def upstream_calls(natural) -> list:
    return natural.request_log_snapshot()


def read_to_the_end(list_page, **filters) -> list:
    items, cursor, pages = [], None, 0
    while True:
        page = list_page(cursor=cursor, limit=100, **filters)
        items.extend(page.items)
        pages += 1
        if not page.has_more:
            return items
        assert page.next_cursor
        cursor = page.next_cursor
        assert pages < 50


# --- customers -------------------------------------------------------------------------------


def test_list_customers_is_one_call_and_pages_to_the_end(natural):
    first = reads.list_customers()
    assert len(first.items) == 20
    assert first.has_more
    assert len(upstream_calls(natural)) == 1
    everyone = read_to_the_end(reads.list_customers)
    assert len(everyone) == natural.counts()["customers"]
    assert len({customer.id for customer in everyone}) == len(everyone)


def test_get_customer_matches_the_list_row(natural):
    listed = reads.list_customers(limit=5).items[3]
    natural.clear_request_log()
    assert reads.get_customer(listed.id) == listed
    assert len(upstream_calls(natural)) == 1
    assert listed.delegation is not None


def test_unknown_customer_is_not_found(natural):
    with pytest.raises(NaturalNotFound) as raised:
        reads.get_customer("pty_" + "0" * 32)
    assert raised.value.status_code_for_page == 404


@pytest.mark.parametrize("bad_id", ["", "../agents", "pty_1/../../agents", "a b"])
def test_an_id_that_is_not_an_id_never_goes_upstream(natural, bad_id):
    with pytest.raises(NaturalNotFound):
        reads.get_customer(bad_id)
    with pytest.raises(NaturalNotFound):
        reads.get_agent_delegation(bad_id)
    assert upstream_calls(natural) == []


# --- agents ----------------------------------------------------------------------------------


def test_agents_are_listed_once_then_served_from_the_cache(natural):
    agents = reads.list_agents()
    assert len(agents) == natural.counts()["agents"]
    assert reads.list_agents() == agents
    assert len(upstream_calls(natural)) == 1


def test_iter_pages_follows_the_cursor_and_stops_at_its_cap(natural):
    total = natural.counts()["invitations"]
    walked = list(reads.iter_pages(reads.list_agent_invitations, max_pages=100, limit=50))
    assert sum(len(page) for page in walked) == total
    assert len(walked) == -(-total // 50)
    capped = list(reads.iter_pages(reads.list_agent_invitations, max_pages=2, limit=50))
    assert len(capped) == 2
    assert len(upstream_calls(natural)) == len(walked) + 2


# --- agent invitations -----------------------------------------------------------------------


def test_agent_invitations_filtered_by_several_statuses(natural):
    page = reads.list_agent_invitations(statuses=["ACCEPTED", "DECLINED"], limit=100)
    assert page.items
    assert {item.effective_status for item in page.items} <= {"ACCEPTED", "DECLINED"}
    (call,) = upstream_calls(natural)
    assert "status=ACCEPTED&status=DECLINED" in call.query


def test_agent_invitations_by_agent_and_email(natural):
    sample = reads.list_agent_invitations(limit=100).items
    invitation = next(item for item in sample if item.email)
    by_agent = reads.list_agent_invitations(agent_id=invitation.agent_id, limit=100)
    assert {item.agent_id for item in by_agent.items} == {invitation.agent_id}
    by_email = reads.list_agent_invitations(customer_email=invitation.email, limit=100)
    assert invitation.id in {item.id for item in by_email.items}
    assert {item.email.lower() for item in by_email.items} == {invitation.email.lower()}


def test_agent_invitations_page_to_the_end(natural):
    everything = read_to_the_end(reads.list_agent_invitations)
    assert len(everything) == natural.counts()["invitations"]


# --- delegation invitations ------------------------------------------------------------------


def test_delegation_invitations_page_to_the_end(natural):
    everything = read_to_the_end(reads.list_delegation_invitations)
    assert len(everything) == natural.counts()["delegationInvitations"]
    assert all(item.id.startswith("din_") for item in everything)


def test_delegation_invitations_by_status(natural):
    page = reads.list_delegation_invitations(status="PENDING")
    assert page.items
    assert {item.status for item in page.items} == {"PENDING"}


# --- agent delegations -----------------------------------------------------------------------


def test_agent_delegations_page_to_the_end_and_include_revoked_on_request(natural):
    active = read_to_the_end(reads.list_agent_delegations)
    with_revoked = read_to_the_end(reads.list_agent_delegations, include_revoked=True)
    assert len(with_revoked) == natural.counts()["agentDelegations"]
    assert len(active) < len(with_revoked)
    assert not any(delegation.is_revoked for delegation in active)


def test_agent_delegations_filters_speak_snake_case(natural):
    delegation = reads.list_agent_delegations(limit=1).items[0]
    page = reads.list_agent_delegations(
        agent_id=delegation.agent_id, delegating_party_id=delegation.delegating_party_id
    )
    assert delegation.id in {item.id for item in page.items}
    assert {item.agent_id for item in page.items} == {delegation.agent_id}
    query = upstream_calls(natural)[-1].query
    assert "agent_id=" in query
    assert "delegating_party_id=" in query


def test_get_agent_delegation_matches_the_list_row(natural):
    listed = reads.list_agent_delegations(limit=3).items[2]
    # Read by id, a delegation does not say whether it is still active: the list did.
    assert reads.get_agent_delegation(listed.id) == replace(listed, revocation="unknown")
    with pytest.raises(NaturalNotFound):
        reads.get_agent_delegation("adl_" + "f" * 32)


# --- both casings of every resource the sandbox serves ---------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "parse"),
    [
        ("/customers", {"limit": 5}, parse_customer),
        ("/agents", {}, parse_agent),
        ("/agents/invitations", {"limit": 5}, parse_agent_invitation),
        ("/agent-delegation-invitations", {"limit": 5}, parse_delegation_invitation),
        ("/agent-delegations", {"limit": 5, "include_revoked": True}, parse_agent_delegation),
    ],
)
def test_both_casings_of_each_list_give_equal_records(natural, path, params, parse):
    raw = get_client().get(path, params).json
    as_served = parse_page(raw, parse)
    assert as_served.items
    assert parse_page(to_camel_case(raw), parse) == as_served
    assert parse_page(to_snake_case(raw), parse) == as_served


def test_both_casings_of_one_customer_and_one_delegation(natural):
    customer_id = reads.list_customers(limit=1).items[0].id
    delegation_id = reads.list_agent_delegations(limit=1).items[0].id
    for path, parse in (
        (f"/customers/{customer_id}", parse_customer),
        (f"/agent-delegations/{delegation_id}", parse_agent_delegation),
    ):
        raw = get_client().get(path).json
        record = parse_one(raw, parse)
        assert parse_one(to_camel_case(raw), parse) == record
        assert parse_one(to_snake_case(raw), parse) == record


# --- failures and health ---------------------------------------------------------------------


def test_a_rate_limited_read_waits_and_succeeds(natural, retry_waits):
    natural.faults.add("rate_limit", path="^/customers$", retry_after=2)
    assert reads.list_customers().items
    assert retry_waits.waits == [2.0]
    assert [call.status for call in upstream_calls(natural)] == [429, 200]


def test_a_dropped_read_is_retried(natural):
    natural.faults.add("drop_before", method="GET")
    assert reads.list_agent_delegations().items
    assert len(upstream_calls(natural)) == 2


def test_three_503s_on_a_read_are_unavailable(natural):
    natural.faults.add("error", status=503, count=3)
    with pytest.raises(NaturalUnavailable):
        reads.list_customers()
    assert [call.status for call in upstream_calls(natural)] == [503, 503, 503]
    assert list(ApiCall.objects.values_list("attempt", flat=True).order_by("id")) == [1, 2, 3]


def test_every_read_fails_cleanly_when_natural_is_down(natural_down):
    for read in (
        reads.list_customers,
        reads.list_agents,
        reads.list_agent_invitations,
        reads.list_delegation_invitations,
        reads.list_agent_delegations,
    ):
        with pytest.raises(NaturalUnavailable) as raised:
            read()
        assert raised.value.status_code_for_page == 502


def test_a_wrong_token_is_an_operator_problem(natural, settings):
    settings.NATURAL_API_TOKEN = "sk_ntl_sandbox_wrong"
    with pytest.raises(NaturalCredentialsRefused):
        reads.list_customers()
    assert reads.natural_health() == (False, "NaturalCredentialsRefused (401)")


def test_health_is_one_cheap_call(natural):
    assert reads.natural_health() == (True, "ok")
    (call,) = upstream_calls(natural)
    assert (call.method, call.path, call.query) == ("GET", "/agents", "limit=1")


def test_health_does_not_retry(natural):
    natural.faults.add("error", status=503, count=3)
    assert reads.natural_health() == (False, "NaturalUnavailable (503)")
    assert len(upstream_calls(natural)) == 1


def test_health_when_natural_is_down(natural_down):
    assert reads.natural_health() == (False, "NaturalUnavailable")
