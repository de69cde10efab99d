"""The exact query each filter combination sends upstream, and nothing for an invalid filter."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from tests.browse.support import htmx, query_of, upstream

AGENT = "agt_" + "a" * 32
PARTY = "pty_" + "b" * 32
DELEGATION = "dlg_" + "c" * 32


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("", {"limit": ["20"]}),
        ("?status=PENDING", {"status": ["PENDING"], "limit": ["20"]}),
        (
            "?status=PENDING&status=EXPIRED&limit=50",
            {"status": ["PENDING", "EXPIRED"], "limit": ["50"]},
        ),
        ("?email=jane%40example.com", {"customerEmail": ["jane@example.com"], "limit": ["20"]}),
        (f"?agent={AGENT}", {"agentId": [AGENT], "limit": ["20"]}),
        (
            f"?status=ACCEPTED&email=a%40b.io&agent={AGENT}&limit=100",
            {
                "status": ["ACCEPTED"],
                "customerEmail": ["a@b.io"],
                "agentId": [AGENT],
                "limit": ["100"],
            },
        ),
        ("?status=&email=&agent=", {"limit": ["20"]}),
    ],
)
def test_invitation_filters(warm_natural, support_client, params, expected):
    support_client.get("/invitations/" + params, headers=htmx("invitations-table"))
    (call,) = upstream(warm_natural)
    assert call.path == "/agents/invitations"
    assert query_of(call) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("", {"limit": ["20"]}),
        ("?status=REVOKED", {"status": ["REVOKED"], "limit": ["20"]}),
        ("?status=PENDING&limit=100", {"status": ["PENDING"], "limit": ["100"]}),
    ],
)
def test_delegation_invitation_filters(warm_natural, support_client, params, expected):
    support_client.get(
        "/invitations/delegation/" + params, headers=htmx("delegation-invitations-table")
    )
    (call,) = upstream(warm_natural)
    assert call.path == "/agent-delegation-invitations"
    assert query_of(call) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("", {"limit": ["20"]}),
        (f"?agent={AGENT}", {"agent_id": [AGENT], "limit": ["20"]}),
        (f"?delegation={DELEGATION}", {"delegation_id": [DELEGATION], "limit": ["20"]}),
        (f"?party={PARTY}", {"delegating_party_id": [PARTY], "limit": ["20"]}),
        ("?include_revoked=on", {"include_revoked": ["true"], "limit": ["20"]}),
        (
            f"?agent={AGENT}&delegation={DELEGATION}&party={PARTY}&include_revoked=on&limit=50",
            {
                "agent_id": [AGENT],
                "delegation_id": [DELEGATION],
                "delegating_party_id": [PARTY],
                "include_revoked": ["true"],
                "limit": ["50"],
            },
        ),
    ],
)
def test_agent_delegation_filters(warm_natural, support_client, params, expected):
    support_client.get("/delegations/" + params, headers=htmx("delegations-table"))
    # With include_revoked, the list without it follows, to tell revoked rows from active.
    call = upstream(warm_natural)[0]
    assert call.path == "/agent-delegations"
    assert query_of(call) == expected


def test_customer_list_sends_paging_only(warm_natural, support_client):
    support_client.get("/customers/?limit=50", headers=htmx("customers-table"))
    (call,) = upstream(warm_natural)
    assert (call.path, query_of(call)) == ("/customers", {"limit": ["50"]})


def test_cursor_is_sent_and_the_trail_is_not(warm_natural, support_client):
    first = support_client.get("/customers/", headers=htmx("customers-table"))
    cursor = parse_qs(first.context_data["pager"].next[1:])["cursor"][0]
    warm_natural.clear_request_log()
    support_client.get(f"/customers/?cursor={cursor}&trail=", headers=htmx("customers-table"))
    (call,) = upstream(warm_natural)
    assert query_of(call) == {"cursor": [cursor], "limit": ["20"]}


INVALID = [
    ("/invitations/", "invitations-table", "status=LOST", "Status"),
    ("/invitations/", "invitations-table", "email=not-an-email", "Customer email"),
    ("/invitations/", "invitations-table", "agent=robert", "Agent"),
    ("/invitations/", "invitations-table", "limit=7", "Rows per page"),
    # Cursors are opaque (any printable text), but never a control character or over 1,024.
    ("/invitations/", "invitations-table", "cursor=abc%1B%5B2J", "Cursor"),
    ("/invitations/delegation/", "delegation-invitations-table", "status=CANCELED", "Status"),
    ("/customers/", "customers-table", "limit=1000", "Rows per page"),
    ("/customers/", "customers-table", "trail=" + "x" * 1025, "Trail"),
    ("/delegations/", "delegations-table", "party=pty_123", "Customer id"),
    ("/delegations/", "delegations-table", "delegation=adl_" + "0" * 32, "Delegation id"),
]


@pytest.mark.parametrize(("url", "target", "query", "label"), INVALID)
def test_invalid_filter_is_refused_before_natural(
    warm_natural, support_client, url, target, query, label
):
    for headers in ({}, htmx(target)):
        response = support_client.get(f"{url}?{query}", headers=headers)
        body = response.content.decode()
        assert response.status_code == 400
        assert "nothing was asked of Natural" in body
        assert f"<p>{label}: " in body
    assert upstream(warm_natural, include_agents=True) == []


def test_invalid_filter_on_the_full_page_marks_the_field(warm_natural, support_client):
    body = support_client.get("/invitations/?email=nope").content.decode()
    assert '<p class="field-error">Enter a valid email address.</p>' in body
