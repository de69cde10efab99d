"""The sandbox answers as Natural documents it: agent delegations carry no status of any kind,
so a revoked one is told apart only by appearing with `include_revoked=true`."""

from __future__ import annotations

from sandbox import create_app
from tests.sandbox.support import TOKEN, make_client

# natural-api.md §2.5, generation A (seed 004): every attribute and relationship documented.
DOCUMENTED_ATTRIBUTES = {
    "agent_name",
    "permissions",
    "limits",
    "expires_at",
    "created_at",
    "created_by",
    "updated_at",
    "delegating_party_name",
    "delegated_party_name",
}
DOCUMENTED_RELATIONSHIPS = {"delegation", "agent", "delegating_party", "delegated_party"}


def _all_with_revoked(client) -> list[dict]:
    items, cursor = [], None
    while True:
        params = {"include_revoked": "true", "limit": 100, **({"cursor": cursor} if cursor else {})}
        body = client.get("/agent-delegations", params=params).json()
        items.extend(body["data"])
        pagination = body["meta"]["pagination"]
        if not pagination["has_more"]:
            return items
        cursor = pagination["next_cursor"]


def test_include_revoked_carries_no_undocumented_field():
    app = create_app(token=TOKEN)
    with make_client(app) as client:
        items = _all_with_revoked(client)
        revoked = [adl for adl in app.state.agent_delegations if adl.is_revoked]

    assert revoked, "the seed has revoked delegations to hide"
    assert len(items) == len(app.state.agent_delegations)
    for item in items:
        assert set(item["attributes"]) <= DOCUMENTED_ATTRIBUTES, item["attributes"].keys()
        assert set(item["relationships"]) <= DOCUMENTED_RELATIONSHIPS
        assert set(item) == {"type", "id", "attributes", "relationships"}


def test_the_get_of_a_revoked_delegation_carries_no_undocumented_field():
    app = create_app(token=TOKEN)
    revoked = next(adl for adl in app.state.agent_delegations if adl.is_revoked)
    with make_client(app) as client:
        item = client.get(f"/agent-delegations/{revoked.id}").json()["data"]

    assert set(item["attributes"]) <= DOCUMENTED_ATTRIBUTES


def test_the_revoked_at_extension_is_only_there_when_asked_for():
    app = create_app(token=TOKEN, mark_revoked_delegations=True)
    with make_client(app) as client:
        items = _all_with_revoked(client)

    marked = {item["id"] for item in items if "revoked_at" in item["attributes"]}
    assert marked == {adl.id for adl in app.state.agent_delegations if adl.is_revoked}
