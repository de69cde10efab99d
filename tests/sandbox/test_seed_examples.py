"""For each seed page, the sandbox answers the page's own request with the page's structure."""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from sandbox.clock import format_ms
from tests.sandbox.support import assert_same_structure

EXAMPLES = Path(__file__).parent / "seed_examples"


def example(name: str) -> Any:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def test_create_customer_invitations_matches_seed_000(app, client, agent_id):
    body = example("000_create_customer_invitations.request")
    attributes = body["data"]["attributes"]
    # The page's ids and dates are not in the sandbox; use real ones of the same kind.
    customer_id = next(iter(app.state.customers)).party.id
    attributes["recipients"][2]["value"] = customer_id
    attributes["expiresAt"] = format_ms(app.clock.now() + timedelta(days=7))

    response = client.post(
        f"/agents/{agent_id}/customers", json=body, headers={"Idempotency-Key": "seed-000"}
    )

    assert response.status_code == 201
    assert_same_structure(example("000_create_customer_invitations.response"), response.json())
    rows = response.json()["data"]
    assert [row["attributes"]["recipient"] for row in rows] == attributes["recipients"]
    assert rows[2]["relationships"]["customerParty"]["data"] == {"type": "party", "id": customer_id}


def test_create_agent_delegation_invitation_matches_seed_001(client, agent_id):
    body = example("001_create_agent_delegation_invitation.request")
    body["data"]["attributes"]["proposed_agents"][0]["agent_id"] = agent_id

    response = client.post("/agent-delegation-invitations", json=body)

    assert response.status_code == 201
    expected = example("001_create_agent_delegation_invitation.response")
    assert_same_structure(expected, response.json())
    # Seed 001 shows a bare null here, not {"data": null}.
    assert response.json()["data"]["relationships"]["delegating_party"] is None


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/agents/invitations", "002_list_agent_invitations"),
        ("/customers", "003_list_customers"),
        ("/agent-delegations", "004_list_agent_delegations"),
    ],
)
def test_list_endpoints_match_their_seed(client, path, name):
    response = client.get(path)

    assert response.status_code == 200
    first_page = response.json()
    assert_same_structure(
        example(f"{name}.response"), {**first_page, "data": first_page["data"][:1]}
    )


@pytest.mark.parametrize(
    ("path", "name", "nullable"),
    [
        # Invitations sent to a phone number have no email.
        ("/agents/invitations", "002_list_agent_invitations", {"email"}),
        ("/customers", "003_list_customers", set()),
        ("/agent-delegations?include_revoked=true", "004_list_agent_delegations", set()),
    ],
)
def test_every_seeded_row_has_the_seed_structure(client, path, name, nullable):
    expected_item = example(f"{name}.response")["data"][0]
    url, pages = path, 0
    while url:
        body = client.get(url).json()
        for item in body["data"]:
            # The one extension: revoked agent delegations say when (see sandbox/README.md).
            item["attributes"].pop("revoked_at", None)
            assert_same_structure(
                expected_item, item, allow_empty=True, nullable=frozenset(nullable)
            )
        pagination = body["meta"]["pagination"]
        cursor = pagination.get("nextCursor", pagination.get("next_cursor"))
        separator = "&" if "?" in path else "?"
        url = f"{path}{separator}limit=100&cursor={cursor}" if cursor else None
        pages += 1
    assert pages >= 3


def test_structure_check_catches_renamed_keys_and_wrong_types():
    expected = example("003_list_customers.response")
    renamed = json.loads(json.dumps(expected).replace('"hasMore"', '"has_more"'))
    with pytest.raises(AssertionError, match="keys differ"):
        assert_same_structure(expected, renamed)
    retyped = json.loads(json.dumps(expected))
    retyped["data"][0]["relationships"]["delegation"]["data"] = None
    with pytest.raises(AssertionError, match="expected an object"):
        assert_same_structure(expected, retyped)
