"""The Overview: cards loaded side by side, each failing on its own."""

from __future__ import annotations

import threading
import time

import pytest

from browse import overview


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


@pytest.mark.django_db(transaction=True)
def test_one_round_of_calls_cards_and_agents_list_side_by_side(
    natural, support_client, monkeypatch
):
    """Each thread's first upstream read waits until the agents list and all four cards have
    started theirs: only if they all run side by side does every one get through."""
    from natural import reads

    started_together = threading.Barrier(5, timeout=5)
    first_call_done = threading.local()

    def side_by_side(read):
        def wrapped(*args, **kwargs):
            if not getattr(first_call_done, "value", False):
                first_call_done.value = True
                started_together.wait()
            return read(*args, **kwargs)

        return wrapped

    for name in ("list_agents", "list_agent_invitations", "list_agent_delegations"):
        monkeypatch.setattr(reads, name, side_by_side(getattr(reads, name)))
    monkeypatch.setattr(reads, "natural_health", side_by_side(reads.natural_health))
    body = support_client.get("/").content.decode()
    assert "card-error" not in body
    assert "Reachable" in body
    assert not started_together.broken


@pytest.mark.django_db(transaction=True)
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
