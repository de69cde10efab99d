"""Invitations, acceptance, revocation: the state changes the dashboard relies on."""

from tests.sandbox.support import assert_error, email, invite


def pending_invitation(app):
    now = app.clock.now()
    return next(i for i in app.state.invitations if i.effective_status(now) == "PENDING")


def invitation_row(client, invitation_id: str) -> dict:
    for status in ("PENDING", "ACCEPTED", "DECLINED", "EXPIRED", "CANCELED"):
        rows = client.get("/agents/invitations", params={"status": status, "limit": 100}).json()
        for row in rows["data"]:
            if row["id"] == invitation_id:
                return row
    raise AssertionError(f"{invitation_id} is not listed")


def test_accepting_an_email_invitation_makes_a_customer(app, client, agent_id):
    created = invite(
        client,
        agent_id,
        [email("new.person@example.com")],
        key="k",
        limits={"perTransaction": 5000},
    )
    invitation_id = created.json()["data"][0]["id"]

    accepted = client.post(f"/__sandbox/invitations/{invitation_id}/accept")

    assert accepted.status_code == 200
    row = accepted.json()["data"]
    assert row["attributes"]["status"] == row["attributes"]["effectiveStatus"] == "ACCEPTED"
    assert row["attributes"]["acceptedAt"] is not None
    customer_id = row["relationships"]["customerParty"]["data"]["id"]
    adl_id = row["relationships"]["agentDelegation"]["data"]["id"]
    assert adl_id.startswith("adl_")

    newest_customer = client.get("/customers?limit=1").json()["data"][0]
    assert newest_customer["id"] == customer_id
    assert newest_customer["attributes"]["email"] == "new.person@example.com"
    agents = newest_customer["relationships"]["agents"]["data"]
    assert [(a["id"], a["attributes"]["limits"]) for a in agents] == [
        (agent_id, {"perTransaction": 5000})
    ]
    assert client.get(f"/customers/{customer_id}").json()["data"]["id"] == customer_id
    agent_customers = client.get(f"/agents/{agent_id}/customers?limit=1").json()["data"]
    assert agent_customers[0]["id"] == customer_id
    assert agent_customers[0]["attributes"]["status"] == "ACTIVE"
    delegation = client.get(f"/agent-delegations/{adl_id}").json()["data"]
    assert delegation["relationships"]["delegating_party"]["data"]["id"] == customer_id
    listed = client.get("/agent-delegations", params={"agentId": agent_id, "limit": 1}).json()
    assert listed["data"][0]["id"] == adl_id
    grouped = client.get("/customers/invitations", params={"limit": 100}).json()["data"]
    assert "new.person@example.com" not in {group["id"] for group in grouped}


def test_accepting_a_party_invitation_reuses_the_customer(app, client, agent_id):
    customer = next(iter(app.state.customers))
    count = len(app.state.customers)
    created = invite(client, agent_id, [{"type": "party_id", "value": customer.party.id}], key="k")

    client.post(f"/__sandbox/invitations/{created.json()['data'][0]['id']}/accept")

    assert len(app.state.customers) == count
    body = client.get(f"/customers/{customer.party.id}").json()["data"]
    assert agent_id in {agent["id"] for agent in body["relationships"]["agents"]["data"]}


def test_decline_and_expire(app, client, agent_id):
    created = invite(client, agent_id, [email("a@example.com"), email("b@example.com")], key="k")
    first, second = (row["id"] for row in created.json()["data"])

    declined = client.post(f"/__sandbox/invitations/{first}/decline").json()["data"]
    expired = client.post(f"/__sandbox/invitations/{second}/expire").json()["data"]

    assert declined["attributes"]["status"] == "DECLINED"
    assert declined["attributes"]["declinedAt"] is not None
    assert expired["attributes"]["effectiveStatus"] == "EXPIRED"
    assert_error(client.post(f"/__sandbox/invitations/{first}/accept"), 409, "conflict")


def test_effective_status_expires_with_the_clock(app, client, agent_id):
    created = invite(client, agent_id, [email("late@example.com")], key="k")
    invitation_id = created.json()["data"][0]["id"]

    client.post("/__sandbox/clock", json={"advanceSeconds": 31 * 86400})
    row = invitation_row(client, invitation_id)

    assert row["attributes"]["status"] == "PENDING"
    assert row["attributes"]["effectiveStatus"] == "EXPIRED"
    response = client.delete(
        f"/agents/invitations/{invitation_id}", headers={"Idempotency-Key": "c"}
    )
    assert_error(response, 409, "conflict")


def test_cancel_one_pending_invitation(app, client):
    invitation = pending_invitation(app)

    response = client.delete(
        f"/agents/invitations/{invitation.id}", headers={"Idempotency-Key": "c"}
    )

    body = response.json()
    assert body["meta"] == {"deleted": True}
    attributes = body["data"]["attributes"]
    assert (attributes["status"], attributes["effectiveStatus"], attributes["cancelReason"]) == (
        "CANCELED",
        "CANCELED",
        "DEVELOPER_REVOKED",
    )
    assert attributes["updatedAt"] > attributes["createdAt"]


def test_cancel_unknown_invitation_is_404(client):
    response = client.delete(
        "/agents/invitations/adi_" + "0" * 32, headers={"Idempotency-Key": "c"}
    )
    assert_error(response, 404, "not_found")


def test_bulk_revoke_counts_only_what_it_cancelled(app, client):
    now = app.clock.now()
    pending = [i.id for i in app.state.invitations if i.effective_status(now) == "PENDING"][:3]
    accepted = next(i.id for i in app.state.invitations if i.status == "ACCEPTED")
    ids = [*pending, accepted, "adi_" + "0" * 32, pending[0]]

    response = client.post(
        "/agents/invitations/revoke", json={"data": {"attributes": {"invitationIds": ids}}}
    )

    assert response.json() == {"revokedCount": 3}
    assert {app.state.invitations.get(i).status for i in pending} == {"CANCELED"}


def test_revoking_agent_access(app, client):
    customer = next(iter(app.state.customers))
    (adl,) = app.state.active_agent_delegations_of(customer)
    url = f"/agents/{adl.agent_id}/customers/{customer.party.id}"

    response = client.delete(url, headers={"Idempotency-Key": "r1"})

    body = response.json()
    assert response.status_code == 200
    assert body["meta"] == {"deleted": True}
    assert body["data"]["id"] == customer.party.id
    assert body["data"]["attributes"]["status"] == "REVOKED"
    # Hidden from the default list, back with include_revoked (either casing).
    default = client.get("/agent-delegations", params={"delegating_party_id": customer.party.id})
    assert default.json()["data"] == []
    for flag in ("include_revoked", "includeRevoked"):
        shown = client.get(
            "/agent-delegations", params={"delegatorPartyId": customer.party.id, flag: "true"}
        )
        assert [row["id"] for row in shown.json()["data"]] == [adl.id]
        assert "revoked_at" not in shown.json()["data"][0]["attributes"]
    # The customer stays listed, with no agents left.
    row = client.get(f"/customers/{customer.party.id}").json()["data"]
    assert row["relationships"]["agents"]["data"] == []
    again = client.delete(url, headers={"Idempotency-Key": "r2"})
    assert_error(again, 404, "not_found")


def test_revoking_for_an_unknown_agent_is_agent_not_found(client, app):
    customer_id = next(iter(app.state.customers)).party.id
    response = client.delete(
        f"/agents/agt_{'0' * 32}/customers/{customer_id}", headers={"Idempotency-Key": "r"}
    )
    assert_error(response, 404, "agent_not_found")


def test_bouncing_emails_are_reported_but_still_invited(client, agent_id):
    response = invite(
        client, agent_id, [email("ok@example.com"), email("gone@bounce.example")], key="k"
    )

    rows = response.json()["data"]
    assert len(rows) == 2
    assert response.json()["meta"]["emailFailures"] == [
        {
            "invitationId": rows[1]["id"],
            "recipient": {"type": "email", "value": "gone@bounce.example"},
            "reason": "mailbox_unavailable",
        }
    ]


def test_invitation_defaults(app, client, agent_id):
    row = invite(client, agent_id, [{"type": "phone", "value": "+14155550123"}], key="k").json()[
        "data"
    ][0]
    attributes = row["attributes"]
    assert attributes["status"] == "PENDING"
    assert attributes["limits"] == {"perTransaction": None}
    assert attributes["expiresAt"][:10] > attributes["createdAt"][:10]
    assert row["relationships"]["customerParty"] == {"data": None}


def test_agent_invitation_filters(app, client):
    agent = list(app.state.agents)[1]
    target = next(i for i in app.state.invitations if i.recipient.type == "email")
    by_agent = client.get("/agents/invitations", params={"agentId": agent.id, "limit": 100}).json()
    by_email = client.get(
        "/agents/invitations", params={"customerEmail": target.recipient.value.upper()}
    ).json()

    assert {row["relationships"]["agent"]["data"]["id"] for row in by_agent["data"]} == {agent.id}
    assert target.id in {row["id"] for row in by_email["data"]}
    assert {row["attributes"]["email"].lower() for row in by_email["data"]} == {
        target.recipient.value.lower()
    }


def test_expired_filter_includes_lapsed_pending_invitations(app, client):
    now = app.clock.now()
    lapsed = [i.id for i in app.state.invitations if i.status == "PENDING" and i.expires_at <= now]
    assert lapsed
    rows = client.get("/agents/invitations", params={"status": "EXPIRED", "limit": 100}).json()[
        "data"
    ]
    assert set(lapsed) <= {row["id"] for row in rows}
    pending = client.get("/agents/invitations", params={"status": "PENDING", "limit": 100}).json()
    assert not set(lapsed) & {row["id"] for row in pending["data"]}


def test_agent_delegation_filters_accept_both_casings(app, client):
    adl = next(adl for adl in app.state.agent_delegations if not adl.is_revoked)
    for params in (
        {"delegation_id": adl.delegation_id},
        {"delegationId": adl.delegation_id},
    ):
        rows = client.get("/agent-delegations", params=params).json()["data"]
        assert adl.id in {row["id"] for row in rows}
        assert {row["relationships"]["delegation"]["data"]["id"] for row in rows} == {
            adl.delegation_id
        }
    developer = app.state.developer_party.id
    other = "pty_" + "f" * 32
    assert (
        len(
            client.get("/agent-delegations", params={"delegated_party_id": developer}).json()[
                "data"
            ]
        )
        == 50
    )
    assert client.get("/agent-delegations", params={"delegateePartyId": other}).json()["data"] == []


def test_reset_restores_the_seed(app, client, agent_id):
    before = [invitation.id for invitation in app.state.invitations]
    invite(client, agent_id, [email("a@example.com")], key="k")
    client.post("/__sandbox/clock", json={"advanceSeconds": 3600})

    response = client.post("/__sandbox/reset")

    assert response.json()["counts"]["invitations"] == 400
    assert [invitation.id for invitation in app.state.invitations] == before
    # Same key works again: the idempotency records went with the reset.
    assert invite(client, agent_id, [email("b@example.com")], key="k").status_code == 201


def test_clock_control(client):
    start = client.get("/__sandbox/clock").json()["now"]
    moved = client.post("/__sandbox/clock", json={"now": "2030-01-01T00:00:00Z"}).json()["now"]
    assert moved.startswith("2030-01-01T00:00:0")
    assert moved > start
    assert_error(
        client.post("/__sandbox/clock", json={"now": "soon"}), 422, "invalid_value", pointer="/now"
    )


def test_get_agent(app, client, agent_id):
    body = client.get(f"/agents/{agent_id}").json()
    assert body["data"]["id"] == agent_id
    assert body["data"]["relationships"]["party"]["data"]["id"] == app.state.developer_party.id


def test_delegation_invitations_list_and_filter(app, client, agent_id):
    body = client.get("/agent-delegation-invitations", params={"status": "PENDING"}).json()
    assert body["data"]
    assert {row["attributes"]["status"] for row in body["data"]} == {"PENDING"}
    assert set(body["meta"]["pagination"]) == {"has_more", "next_cursor"}
    accepted = client.get("/agent-delegation-invitations", params={"status": "ACCEPTED"}).json()
    assert all(row["relationships"]["delegating_party"]["data"] for row in accepted["data"])


def test_malformed_customer_id_is_checked_before_the_agent_is_looked_up(client):
    response = client.delete(
        f"/agents/agt_{'0' * 32}/customers/not-a-party", headers={"Idempotency-Key": "r"}
    )
    assert_error(response, 400, "invalid_value", parameter="customerId")
