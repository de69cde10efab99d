"""One customer and one agent delegation, and the walk between them."""

from __future__ import annotations

import pytest

from tests.browse.support import upstream


def _customer_with_agents(natural):
    return next(c for c in natural.state.customers.newest_first() if c.agent_delegation_ids)


def test_customer_detail_shows_delegation_agents_invitations_and_delegations(
    warm_natural, support_client
):
    customer = _customer_with_agents(warm_natural)
    response = support_client.get(f"/customers/{customer.party.id}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Agent delegations of this customer" in body
    assert 'href="/delegations/adl_' in body
    assert "per transaction" in body
    paths = sorted(call.path for call in upstream(warm_natural))
    assert paths == sorted(
        [f"/customers/{customer.party.id}", "/agent-delegations", "/agents/invitations"]
    )
    invitations_call = next(c for c in upstream(warm_natural) if c.path == "/agents/invitations")
    assert f"customerEmail={customer.party.email}".replace("@", "%40") in invitations_call.query


def test_delegation_detail(warm_natural, support_client):
    adl = next(iter(warm_natural.state.agent_delegations.newest_first()))
    response = support_client.get(f"/delegations/{adl.id}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert adl.id in body
    assert f'href="/customers/{adl.customer_id}/"' in body
    assert "Per transaction" in body or "No limits" in body


def test_walk_from_customer_list_to_delegation_and_back(warm_natural, support_client):
    listing = support_client.get("/customers/?limit=50")
    row = next(r for r in listing.context["rows"] if r["agents"])
    customer_page = support_client.get(row["url"])
    delegation_url = customer_page.context["delegations"]["rows"][0]["url"]
    delegation_page = support_client.get(delegation_url)
    assert delegation_page.status_code == 200
    assert f'href="{row["url"]}"' in delegation_page.content.decode()


@pytest.mark.parametrize("url", ["/customers/nope/", "/delegations/pty_123/"])
def test_malformed_ids_are_404_without_asking_natural(warm_natural, support_client, url):
    assert support_client.get(url).status_code == 404
    assert upstream(warm_natural, include_agents=True) == []


@pytest.mark.parametrize(
    "url", ["/customers/pty_" + "0" * 32 + "/", "/delegations/adl_" + "0" * 32 + "/"]
)
def test_unknown_ids_are_404(natural, support_client, url):
    assert support_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url", ["/customers/pty_" + "0" * 32 + "/", "/delegations/adl_" + "0" * 32 + "/"]
)
def test_detail_pages_when_natural_is_down(natural_down, support_client, url):
    response = support_client.get(url)
    assert response.status_code == 502
    assert "Retry</a>" in response.content.decode()
