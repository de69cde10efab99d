"""The seeded account: deterministic, varied enough for every screen, hostile where it hurts."""

import re
from datetime import timedelta

from sandbox import create_app
from sandbox.ids import is_id
from sandbox.models import INVITATION_STATUSES
from tests.sandbox.support import TOKEN, make_client

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$")


def snapshot(app):
    return (
        [(c.party.id, c.party.name, c.party.email) for c in app.state.customers],
        [(i.id, i.status, i.recipient.value) for i in app.state.invitations],
        [(a.id, a.revoked_at is None) for a in app.state.agent_delegations],
    )


def test_same_seed_same_data_other_seed_other_data():
    assert snapshot(create_app(token=TOKEN)) == snapshot(create_app(token=TOKEN))
    assert snapshot(create_app(token=TOKEN, seed=8)) != snapshot(create_app(token=TOKEN))


def test_default_sizes(app):
    assert app.counts() == {
        "customers": 250,
        "invitations": 400,
        "agentDelegations": 300,
        "delegationInvitations": 40,
        "agents": 4,
    }
    assert app.state.developer_party.name == "Acme Inc"
    assert {agent.name for agent in app.state.agents} >= {"Invoice Agent", "Carrier Payment Agent"}


def test_invitations_cover_every_status_and_the_awkward_cases(app):
    now = app.clock.now()
    invitations = list(app.state.invitations)
    assert {i.status for i in invitations} == set(INVITATION_STATUSES)
    pending = [i for i in invitations if i.status == "PENDING"]
    assert any(now < i.expires_at <= now + timedelta(hours=48) for i in pending)
    assert any(i.effective_status(now) == "EXPIRED" for i in pending)
    assert {i.recipient.type for i in invitations} == {"email", "phone", "party_id"}
    ages = [now - i.created_at for i in invitations]
    assert max(ages) > timedelta(days=60)
    assert min(ages) < timedelta(days=2)
    accepted = [i for i in invitations if i.status == "ACCEPTED"]
    assert all(app.state.agent_delegations.get(i.agent_delegation_id) for i in accepted)


def test_some_agent_delegations_are_revoked_and_some_customers_have_no_agent_left(app):
    revoked = [adl for adl in app.state.agent_delegations if adl.is_revoked]
    assert 0 < len(revoked) < 100
    assert any(not app.state.active_agent_delegations_of(c) for c in app.state.customers)


def test_hostile_strings_are_on_the_first_page(client):
    names = [row["attributes"]["name"] for row in client.get("/customers").json()["data"]]
    emails = [row["attributes"]["email"] for row in client.get("/customers").json()["data"]]

    assert "<script>alert(1)</script>" in names
    assert any('"' in name and "'" in name and "&" in name for name in names)
    assert any(
        "\u202e" in name and re.search("[\u0590-\u05ff\u0600-\u06ff]", name) for name in names
    )
    assert any(len(name) >= 200 for name in names)
    assert any("+" in address.split("@")[0] for address in emails)


def test_ids_and_timestamps_have_the_documented_form(client):
    rows = client.get("/agents/invitations", params={"limit": 100}).json()["data"]
    for row in rows:
        assert is_id("adi", row["id"])
        assert is_id("agt", row["relationships"]["agent"]["data"]["id"])
        assert TIMESTAMP.match(row["attributes"]["createdAt"])
        assert isinstance(row["attributes"]["limits"]["perTransaction"], int)
    for row in client.get("/agent-delegations").json()["data"]:
        assert is_id("adl", row["id"])
        assert is_id("dlg", row["relationships"]["delegation"]["data"]["id"])
        assert TIMESTAMP.match(row["attributes"]["created_at"])


def test_a_hundred_thousand_customers_page_by_cursor_without_repeats():
    # How fast this scale generates and pages is a `make bench` figure, not a test's.
    app = create_app(token=TOKEN, customers=100_000)
    assert app.counts()["customers"] == 100_000

    seen: set[str] = set()
    with make_client(app) as client:
        params = {"limit": 100}
        for _ in range(20):
            body = client.get("/customers", params=params).json()
            ids = [row["id"] for row in body["data"]]
            assert len(ids) == 100
            assert seen.isdisjoint(ids)
            seen.update(ids)
            params = {"limit": 100, "cursor": body["meta"]["pagination"]["nextCursor"]}
