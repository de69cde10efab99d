"""The Overview: cards loaded side by side, each failing on its own."""

from __future__ import annotations

import time

import pytest

from dashboard import overview


def test_overview_shows_every_card(natural, support_client):
    response = support_client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    for title in ("Expiring within 48 hours", "Newest invitations", "Newest agent delegations"):
        assert title in body
    assert "Reachable" in body


def test_a_failing_card_shows_its_own_error(natural, support_client):
    natural.faults.add("error", status=503, count=50, path="^/agent-delegations$")
    response = support_client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("card-error") == 1
    assert 'hx-get="/?card=delegations"' in body
    assert "Newest invitations" in body


def test_natural_down_still_renders_the_page(natural_down, support_client):
    response = support_client.get("/")
    assert response.status_code == 200
    assert "Not healthy" in response.content.decode() or "card-error" in response.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cards_load_concurrently(natural, support_client):
    natural.faults.add("latency", seconds=0.4, count=1, path="^/agent-delegations$")
    natural.faults.add("latency", seconds=0.4, count=1, path="^/agents/invitations$")
    started = time.monotonic()
    response = support_client.get("/")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 0.75, elapsed


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_slow_card_loads_itself_later(natural, support_client, monkeypatch):
    monkeypatch.setattr(overview, "PAGE_DEADLINE_SECONDS", 0.1)
    monkeypatch.setattr(overview.all_cards, "__defaults__", (0.1,))
    natural.faults.add("latency", seconds=0.5, count=1, path="^/agent-delegations$")
    body = support_client.get("/").content.decode()
    assert 'hx-get="/?card=delegations" hx-trigger="load"' in body
    assert "Still waiting for Natural" in body
    time.sleep(0.6)  # let the abandoned call finish before the database is flushed


def test_one_card_alone(natural, support_client):
    response = support_client.get("/?card=health")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert support_client.get("/?card=nope").status_code == 404
