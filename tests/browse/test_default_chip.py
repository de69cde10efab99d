"""The delegations table's default Active chip is what the list shows when nothing is chosen,
as Natural's list does: it is not a filter, so it is never reported as one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from read_model import sync

LIST = reverse("delegation-list")


def caption(html: str) -> str:
    return html.split("<caption", 1)[1].split("</caption>", 1)[0]


def revoke_every_access(natural) -> None:
    with natural.state.lock:
        for adl in list(natural.state.agent_delegations):
            if not adl.is_revoked:
                natural.state.revoke_agent_access(
                    natural.state.agent(adl.agent_id), adl.customer_id
                )


def test_nothing_chosen_is_not_filtered(support_client, natural):
    html = support_client.get(LIST).content.decode()

    assert "20 delegations on this page" in caption(html)
    assert "filtered" not in caption(html)


def test_picking_only_the_active_chip_is_the_same_unfiltered_list(support_client, natural):
    html = support_client.get(LIST, {"status": "active"}).content.decode()

    assert "filtered" not in caption(html)


def test_a_real_filter_still_says_so(support_client, natural):
    agent = next(iter(natural.state.agents)).id

    html = support_client.get(LIST, {"agent": agent}).content.decode()

    assert "filtered" in caption(html)


def test_an_empty_list_shows_the_empty_state_not_a_filter(support_client, natural):
    revoke_every_access(natural)

    html = support_client.get(LIST).content.decode()

    assert "Nothing matches" not in html
    assert "Nothing here yet." in html


@pytest.mark.parametrize("asked", [{"counts": "on"}, {"sort": "created_at"}])
def test_an_empty_local_copy_shows_the_empty_state_too(support_client, natural, asked):
    revoke_every_access(natural)
    sync.sync("agent_delegations")

    html = support_client.get(LIST, asked).content.decode()

    assert "Nothing matches" not in html
    assert "Nothing here yet." in html
