"""The agent delegations table answered from the read model: search by part of a name or id,
sort by a column header, counts and facet counts on the status chips, all labelled with the
copy's freshness; revoked and unknown rows follow delegations/revocation.py, and a revoke from
a row still goes through the confirmation that reads Natural again."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from read_model import sync
from read_model.models import IndexedAgentDelegation, SyncRun

LIST = reverse("delegation-list")
TABLE = {"HX-Request": "true", "HX-Target": "delegations-table"}
REVOKE_LINK = (
    r'<a class="button small danger" href="([^"]*/delegations/(adl_[0-9a-f]{32})/revoke/[^"]*)"'
)


@pytest.fixture
def indexed(natural):
    """The sandbox's agent delegations, synced into the read model."""
    sync.sync("agent_delegations")
    return natural


def body_of(response) -> str:
    return response.content.decode()


def row_ids(html: str) -> list[str]:
    return re.findall(r'<span class="id">(adl_[0-9a-f]{32})</span>', html)


def revoke_links(html: str) -> dict[str, str]:
    """Each row's revoke link (the page without JavaScript follows the href)."""
    return {adl_id: html_lib.unescape(href) for href, adl_id in re.findall(REVOKE_LINK, html)}


def test_the_live_table_stays_the_default(support_client, indexed):
    html = body_of(support_client.get(LIST))

    assert "From the local copy" not in html
    assert "as of" not in html
    assert re.search(r'<a class="sort" href="\?sort=agent_name"', html), "headers are real links"


def test_support_finds_a_delegation_by_part_of_the_customer_name(support_client, indexed):
    target = (
        IndexedAgentDelegation.objects.filter(revoked=False)
        .exclude(customer_name="")
        .order_by("created_at")
        .first()
    )
    name = target.customer_name
    part = name[1:-1]

    html = body_of(support_client.get(LIST, {"q": part}))

    assert f"{name[0]}<mark>{part}</mark>{name[-1]}" in html
    assert target.agent_delegation_id in html
    assert "as of less than a minute ago" in html
    assert "Back to the live list" in html


def test_part_of_an_id_finds_the_delegation_and_marks_it(support_client, indexed):
    target = IndexedAgentDelegation.objects.filter(revoked=False).order_by("created_at").first()
    part = target.agent_delegation_id[4:14]

    html = body_of(support_client.get(LIST, {"q": part}))

    assert f"adl_<mark>{part}</mark>" in html
    assert target.agent_delegation_id in html


def test_a_header_link_sorts_and_says_so(support_client, indexed):
    ascending = body_of(
        support_client.get(LIST, {"sort": "customer_name", "include_revoked": "on"})
    )
    descending = body_of(
        support_client.get(LIST, {"sort": "-customer_name", "include_revoked": "on"})
    )

    name_of = dict(
        IndexedAgentDelegation.objects.values_list("agent_delegation_id", "customer_name_folded")
    )
    up = [name_of[i] for i in row_ids(ascending)]
    down = [name_of[i] for i in row_ids(descending)]
    assert len(up) == 20
    assert up == sorted(up)
    assert down == sorted(down, reverse=True)
    assert up[0] == min(name_of.values())
    assert down[0] == max(name_of.values())
    assert 'aria-sort="ascending"' in ascending
    assert "sort=-customer_name" in ascending, "a second click reverses the order"
    assert 'aria-sort="descending"' in descending


def test_counts_say_how_many_are_active_and_each_chip_counts(support_client, indexed):
    html = body_of(support_client.get(LIST, {"counts": "on"}))

    rows = IndexedAgentDelegation.objects
    active, revoked = rows.filter(revoked=False).count(), rows.filter(revoked=True).count()
    assert revoked, "the seed has revoked delegations"
    assert f"{active:,} active, as of less than a minute ago" in html
    for state, expected in (("active", active), ("revoked", revoked)):
        assert re.search(
            rf'id="facet-status-{state}" class="facet" title="Counted in the local copy, '
            rf'as of less than a minute ago"> {expected:,}</span>',
            html,
        ), state
    assert len(row_ids(html)) == 20
    assert not rows.filter(agent_delegation_id__in=row_ids(html), revoked=True).exists()


def test_htmx_gets_the_table_and_the_chip_counts_out_of_band(support_client, indexed):
    html = body_of(support_client.get(LIST, {"counts": "on"}, headers=TABLE))

    assert "<html" not in html
    assert 'id="facet-status-revoked" class="facet" hx-swap-oob="true"' in html


def test_the_revoked_chip_lists_only_revoked_ones_and_offers_no_revoke(manager_client, indexed):
    html = body_of(manager_client.get(LIST, {"status": "revoked"}))

    revoked = set(
        IndexedAgentDelegation.objects.filter(revoked=True).values_list(
            "agent_delegation_id", flat=True
        )
    )
    shown = row_ids(html)
    assert shown
    assert set(shown) <= revoked
    assert f"{len(revoked):,} revoked" in html
    assert "From the local copy" in html
    assert not revoke_links(html)
    assert 'name="delegation" value="adl_' not in html, "nothing to select for a bulk revoke"


def test_a_row_only_an_unfinished_pass_has_seen_is_unknown_and_not_offered(manager_client, indexed):
    row = IndexedAgentDelegation.objects.filter(revoked=False).order_by("-created_at").first()
    IndexedAgentDelegation.objects.filter(pk=row.pk).update(listed_active_by=None)

    html = body_of(manager_client.get(LIST, {"sort": "-created_at"}))

    assert row.agent_delegation_id in row_ids(html)
    assert row.agent_delegation_id not in revoke_links(html)
    assert "Natural could not say whether this access is still active" in html
    assert f'value="{row.agent_delegation_id}"' not in html


def test_a_revoke_from_the_local_copy_reads_natural_again(manager_client, indexed):
    html = body_of(manager_client.get(LIST, {"sort": "-created_at"}))
    links = revoke_links(html)
    adl_id = row_ids(html)[0]
    assert adl_id in links
    assert "seen=" in links[adl_id], "the confirmation can tell what changed since the copy"

    with indexed.state.lock:
        adl = next(a for a in indexed.state.agent_delegations if a.id == adl_id)
        indexed.state.revoke_agent_access(indexed.state.agent(adl.agent_id), adl.customer_id)
    confirm = body_of(manager_client.get(links[adl_id]))

    assert "This access is already revoked. There is nothing to send." in confirm
    assert 'name="reason"' not in confirm


def test_freshness_is_the_age_of_the_last_pass(support_client, indexed):
    SyncRun.objects.update(finished_at=timezone.now() - timedelta(minutes=7, seconds=5))

    html = body_of(support_client.get(LIST, {"q": "an"}))

    assert "as of 7 minutes ago" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "email"}, "“email” is not a column to sort by"),
        ({"q": "x" * 201}, "at most 200 characters"),
        ({"counts": "on", "status": "lost"}, "Select a valid choice"),
    ],
)
def test_bad_questions_get_a_field_error(support_client, indexed, params, message):
    response = support_client.get(LIST, params)

    assert response.status_code == 400
    assert message in body_of(response)


def test_an_admin_refresh_runs_a_quick_pass_and_comes_back(admin_client, indexed):
    back = f"{LIST}?q=an"
    html = body_of(admin_client.get(back))
    assert reverse("agent-delegation-index-refresh") in html

    response = admin_client.post(reverse("agent-delegation-index-refresh"), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    assert SyncRun.objects.filter(
        resource="agent_delegations", mode=SyncRun.Mode.QUICK, state=SyncRun.State.COMPLETE
    ).exists()


def picked_chips(html: str) -> set[str]:
    return {
        value
        for tag, value in re.findall(r'(<input[^>]*name="status" value="(\w+)"[^>]*>)', html)
        if "checked" in tag
    }


@pytest.mark.parametrize(
    ("query", "picked"),
    [
        ("", {"active"}),
        ("?include_revoked=on", {"active", "revoked"}),
        ("?status=revoked", {"revoked"}),
        ("?status=active&status=revoked", {"active", "revoked"}),
    ],
)
def test_the_chips_picked_are_the_states_shown(support_client, natural, query, picked):
    """With no chip asked for, the live list shows the active ones: the Active chip says so.
    The chips say everything the old “Include revoked” box did, so the box is gone."""
    html = body_of(support_client.get(LIST + query))
    assert picked_chips(html) == picked
    assert 'name="include_revoked"' not in html
