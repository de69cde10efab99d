"""The agent invitations table answered from the read model: search by part of an email, sort
by a column header, counts and facet counts, all labelled with the copy's freshness."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from read_model import sync
from read_model.models import IndexedAgentInvitation, IndexedDelegationInvitation, SyncRun

LIST = reverse("invitation-list")
TABLE = {"HX-Request": "true", "HX-Target": "invitations-table"}


@pytest.fixture
def indexed(natural):
    """The sandbox's agent invitations, synced into the read model."""
    sync.sync("agent_invitations")
    return natural


def pending(natural):
    now = natural.clock.now()
    return [
        i for i in natural.state.invitations.newest_first() if i.effective_status(now) == "PENDING"
    ]


def body_of(response) -> str:
    return response.content.decode()


def row_ids(html: str) -> list[str]:
    return re.findall(r'<span class="id">(adi_[0-9a-f]{32})</span>', html)


def test_support_finds_an_invitation_by_part_of_its_email(support_client, indexed):
    target = IndexedAgentInvitation.objects.exclude(email="").order_by("created_at").first()
    local, domain = target.email.split("@")
    part = local[1:-1]

    html = body_of(support_client.get(LIST, {"q": part}))

    assert f"{local[0]}<mark>{part}</mark>{local[-1]}@{domain}" in html
    assert target.invitation_id in html
    assert "as of less than a minute ago" in html


def test_the_live_table_stays_the_default(support_client, indexed):
    html = body_of(support_client.get(LIST))

    assert "From the local copy" not in html
    assert "as of" not in html


def test_a_header_link_sorts_and_says_so(support_client, indexed):
    html = body_of(support_client.get(LIST))
    assert re.search(r'<a class="sort" href="\?sort=email"', html), "the header is a real link"

    ascending = body_of(support_client.get(LIST, {"sort": "email"}))
    descending = body_of(support_client.get(LIST, {"sort": "-email"}))

    email_of = dict(IndexedAgentInvitation.objects.values_list("invitation_id", "email_folded"))
    up = [email_of[i] for i in row_ids(ascending)]
    down = [email_of[i] for i in row_ids(descending)]
    assert len(up) == 20
    assert up == sorted(up)
    assert down == sorted(down, reverse=True)
    assert down != up
    assert up[0] == min(email_of.values())
    assert down[0] == max(email_of.values())
    assert 'aria-sort="ascending"' in ascending
    assert 'href="?sort=-email"' in ascending, "a second click reverses the order"
    assert 'aria-sort="descending"' in descending


def test_counts_match_the_rows_and_each_status_chip(support_client, indexed):
    html = body_of(support_client.get(LIST, {"counts": "on", "status": "PENDING"}))

    rows = IndexedAgentInvitation.objects
    pending_count = rows.filter(effective_status="PENDING").count()
    assert f"{pending_count:,} pending" in html
    for status in ("PENDING", "ACCEPTED", "CANCELED", "EXPIRED"):
        expected = rows.filter(effective_status=status).count()
        assert re.search(
            rf'id="facet-status-{status}" class="facet" title="Counted in the local copy, '
            rf'as of less than a minute ago"> {expected:,}</span>',
            html,
        ), status


def test_htmx_gets_the_table_and_the_chip_counts_out_of_band(support_client, indexed):
    html = body_of(support_client.get(LIST, {"counts": "on"}, headers=TABLE))

    assert "<html" not in html
    assert 'id="facet-status-PENDING" class="facet" hx-swap-oob="true"' in html


def test_freshness_is_the_age_of_the_last_pass(support_client, indexed):
    SyncRun.objects.update(finished_at=timezone.now() - timedelta(minutes=7, seconds=5))

    html = body_of(support_client.get(LIST, {"q": "example"}))

    assert "as of 7 minutes ago" in html
    assert f'href="{LIST}?q=example"' in html or 'href="/invitations/?q=example"' in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "password"}, "“password” is not a column to sort by"),
        ({"sort": "email", "offset": "-3"}, "Ensure this value is greater than or equal to 0"),
        ({"q": "x" * 201}, "at most 200 characters"),
        ({"counts": "on", "status": "LOST"}, "Select a valid choice"),
    ],
)
def test_bad_questions_get_a_field_error_and_nothing_is_lost(
    support_client, indexed, params, message
):
    response = support_client.get(LIST, params)

    assert response.status_code == 400
    html = body_of(response)
    assert message in html
    if "q" in params:
        assert f'value="{params["q"]}"' in html


def test_an_admin_refresh_runs_a_quick_pass_and_comes_back(admin_client, indexed):
    back = f"{LIST}?q=example"
    response = admin_client.post(reverse("agent-invitation-index-refresh"), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    assert SyncRun.objects.filter(
        resource="agent_invitations", mode=SyncRun.Mode.QUICK, state=SyncRun.State.COMPLETE
    ).exists()


def test_support_cannot_start_a_pass_and_gets_a_reload_instead(support_client, indexed):
    response = support_client.post(reverse("agent-invitation-index-refresh"))
    assert response.status_code == 403

    html = body_of(support_client.get(LIST, {"q": "example"}))
    assert reverse("agent-invitation-index-refresh") not in html
    assert re.search(r'<a class="button small" href="/invitations/\?q=example">Refresh</a>', html)


DELEGATION_LIST = reverse("delegation-invitation-list")


@pytest.fixture
def delegation_invitations_indexed(natural):
    sync.sync("delegation_invitations")
    return natural


def test_delegation_invitations_are_found_by_part_of_an_email_and_counted(
    support_client, delegation_invitations_indexed
):
    target = IndexedDelegationInvitation.objects.exclude(email="").order_by("created_at").first()
    local, domain = target.email.split("@")
    part = local[1:-1]

    html = body_of(support_client.get(DELEGATION_LIST, {"q": part, "counts": "on"}))

    assert f"{local[0]}<mark>{part}</mark>{local[-1]}@{domain}" in html
    assert target.invitation_id in html
    matching = IndexedDelegationInvitation.objects.filter(email_folded__contains=part.lower())
    total = matching.count()
    assert f"{total:,} delegation invitation{'' if total == 1 else 's'} matching" in html
    assert "as of less than a minute ago" in html


def test_delegation_invitations_sort_by_a_header(support_client, delegation_invitations_indexed):
    html = body_of(support_client.get(DELEGATION_LIST, {"sort": "-expires_at"}))

    expiry_of = dict(IndexedDelegationInvitation.objects.values_list("invitation_id", "expires_at"))
    shown = [expiry_of[i] for i in re.findall(r'<span class="id">(din_[0-9a-f]{32})</span>', html)]
    assert shown
    assert shown == sorted(shown, reverse=True)
    assert 'aria-sort="descending"' in html


def test_a_bad_delegation_invitation_sort_is_a_field_error(
    support_client, delegation_invitations_indexed
):
    response = support_client.get(DELEGATION_LIST, {"sort": "agent_name"})

    assert response.status_code == 400
    assert "“agent_name” is not a column to sort by" in body_of(response)
