"""Cursor pagination: stable newest-first order, each item exactly once, even while writing."""

import httpx

from tests.sandbox.support import email, invite


def walk(client, path: str, limit: int, between_pages=None) -> list[str]:
    path, _, query = path.partition("?")
    ids: list[str] = []
    cursor = None
    while True:
        params = httpx.QueryParams(query).merge({"limit": limit})
        if cursor:
            params = params.merge({"cursor": cursor})
        body = client.get(path, params=params).json()
        ids += [item["id"] for item in body["data"]]
        pagination = body["meta"]["pagination"]
        has_more = pagination.get("hasMore", pagination.get("has_more"))
        cursor = pagination.get("nextCursor", pagination.get("next_cursor"))
        assert (cursor is not None) == has_more
        if not has_more:
            return ids
        if between_pages:
            between_pages(len(ids))


def test_walk_sees_every_invitation_once_while_new_ones_arrive(app, client, agent_id):
    existing = {invitation.id for invitation in app.state.invitations}

    def add_invitations(seen: int) -> None:
        invite(client, agent_id, [email(f"new{seen}@example.com")], key=f"walk-{seen}")

    ids = walk(client, "/agents/invitations", limit=37, between_pages=add_invitations)

    assert len(ids) == len(set(ids))
    assert set(ids) == existing


def test_walk_sees_every_customer_once_while_customers_are_added(app, client):
    existing = {customer.party.id for customer in app.state.customers}
    pending = [
        i.id for i in app.state.invitations if i.effective_status(app.clock.now()) == "PENDING"
    ]

    def accept_one(seen: int) -> None:
        client.post(f"/__sandbox/invitations/{pending.pop()}/accept")

    ids = walk(client, "/customers", limit=20, between_pages=accept_one)

    assert len(ids) == len(set(ids))
    assert set(ids) == existing
    assert len(app.state.customers) > len(existing)


def test_agent_delegations_walk_in_snake_case(app, client):
    ids = walk(client, "/agent-delegations?include_revoked=true", limit=100)
    assert sorted(ids) == sorted(adl.id for adl in app.state.agent_delegations)


def test_order_is_newest_first_with_ids_breaking_ties(client):
    rows = []
    for item in client.get("/agents/invitations", params={"limit": 100}).json()["data"]:
        rows.append((item["attributes"]["createdAt"], item["id"]))
    assert rows == sorted(rows, reverse=True)


def test_default_page_sizes(client):
    assert len(client.get("/customers").json()["data"]) == 20
    assert len(client.get("/customers/invitations").json()["data"]) == 20
    assert len(client.get("/agents/invitations").json()["data"]) == 50
    assert len(client.get("/agent-delegations").json()["data"]) == 50


def test_last_page_has_no_cursor(client):
    body = client.get("/agents").json()
    assert len(body["data"]) == 4
    assert body["meta"]["pagination"] == {"hasMore": False, "nextCursor": None}


def test_filtered_walk_returns_only_matches(app, client):
    ids = walk(client, "/agents/invitations?status=DECLINED&status=CANCELED", limit=10)
    statuses = {app.state.invitations.get(i).status for i in ids}
    expected = [i.id for i in app.state.invitations if i.status in ("DECLINED", "CANCELED")]
    assert statuses == {"DECLINED", "CANCELED"}
    assert sorted(ids) == sorted(expected)


def test_grouped_customer_invitations_walk_once(app, client):
    ids = walk(client, "/customers/invitations", limit=15)
    assert len(ids) == len(set(ids))
    now = app.clock.now()
    pending_recipients = {
        (i.recipient.value.lower() if i.recipient.type == "email" else None)
        for i in app.state.invitations
        if i.effective_status(now) == "PENDING" and i.recipient.type == "email"
    }
    assert pending_recipients <= set(ids)
