"""A filter means the same thing on Natural's live list and on the local copy: asking for a sort
or for counts changes where the rows come from, never which rows match."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from read_model import sync
from sandbox.models import Recipient

LIST = reverse("invitation-list")


def invite(natural, *emails: str) -> list[str]:
    with natural.state.lock:
        agent = next(iter(natural.state.agents))
        created = natural.state.create_invitations(
            agent,
            [Recipient("email", email) for email in emails],
            ["payments.read"],
            None,
            natural.clock.now() + timedelta(days=30),
        )
    return [invitation.id for invitation in created]


def row_ids(response) -> set[str]:
    return set(re.findall(r'<span class="id">(adi_[0-9a-f]{32})</span>', response.content.decode()))


@pytest.fixture
def ann(natural):
    """Ann's invitation, one to her address in other letters' case, and Joann's, whose
    address holds Ann's."""
    exact, other_case, joann = invite(
        natural, "ann@example.com", "Ann@Example.COM", "joann@example.com"
    )
    sync.sync("agent_invitations")
    return {"exact": exact, "other_case": other_case, "joann": joann}


@pytest.mark.parametrize(
    "asked",
    [{"sort": "-created_at"}, {"counts": "on"}, {"sort": "email", "counts": "on"}],
    ids=["sorted", "counted", "both"],
)
def test_the_exact_email_filter_stays_exact_on_the_local_copy(support_client, ann, asked):
    live = support_client.get(LIST, {"email": "ann@example.com", "limit": 100})
    local = support_client.get(LIST, {"email": "ann@example.com", "limit": 100, **asked})

    assert live.status_code == local.status_code == 200
    assert "From the local copy" in local.content.decode()
    # Natural matches the whole address, whatever the letters' case.
    assert row_ids(live) == {ann["exact"], ann["other_case"]}
    assert row_ids(local) == row_ids(live)
    if "counts" in asked:
        assert "2 invitations" in local.content.decode()


def test_a_search_narrows_within_the_exact_email(support_client, ann):
    response = support_client.get(LIST, {"email": "ann@example.com", "q": "ann"})

    assert response.status_code == 200
    assert row_ids(response) == {ann["exact"], ann["other_case"]}


def test_the_search_box_is_the_only_substring_match(support_client, ann):
    response = support_client.get(LIST, {"q": "ann@example.com"})

    assert {ann["exact"], ann["other_case"], ann["joann"]} <= row_ids(response)
