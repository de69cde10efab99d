"""The read model's query layer: sort, filters, counts, facet counts, search and freshness."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone

from read_model import query
from read_model.models import (
    IndexedAgentDelegation,
    IndexedAgentInvitation,
    IndexedDelegationInvitation,
    SyncRun,
    fold,
    permission_set,
)


@pytest.fixture(autouse=True, params=["counted from rows", "counted from the summary"])
def counting(request, monkeypatch):
    """Every question is asked twice: with no summary yet (counts group the rows themselves),
    and with the summary a completed pass stores. The answers must be the same."""
    if request.param == "counted from the summary":
        real = query.ask

        def ask_after_a_pass(resource, **kwargs):
            if resource in query.SCHEMAS:
                query.rebuild_counts(resource)
            return real(resource, **kwargs)

        monkeypatch.setattr(query, "ask", ask_after_a_pass)


AGENT_A = "agt_" + "a" * 32
AGENT_B = "agt_" + "b" * 32
serial = count(1)


@pytest.fixture
def invitation(finished_run):
    def add(email, status="PENDING", *, agent=AGENT_A, permissions=("payments.read",), **extra):
        number = next(serial)
        now = timezone.now()
        agent_name = "Invoice Agent" if agent == AGENT_A else "Refund Agent"
        values = {
            "invitation_id": f"adi_{number:032x}",
            "email": email,
            "agent_id": agent,
            "agent_name": agent_name,
            "status": status,
            "effective_status": status,
            "permissions": list(permissions),
            "permission_set": permission_set(permissions),
            "created_at": now - timedelta(minutes=1000 - number),
            "expires_at": now + timedelta(days=30),
            "email_folded": fold(email),
            "agent_name_folded": fold(agent_name),
            "last_seen_run": finished_run,
            "last_seen_at": now,
        }
        return IndexedAgentInvitation.objects.create(**(values | extra))

    return add


@pytest.fixture
def delegation(finished_run):
    def add(customer, *, revoked=False, agent=AGENT_A, cents=None, **extra):
        number = next(serial)
        now = timezone.now()
        return IndexedAgentDelegation.objects.create(
            **{
                "agent_delegation_id": f"adl_{number:032x}",
                "agent_id": agent,
                "agent_name": "Invoice Agent",
                "customer_name": customer,
                "customer_name_folded": fold(customer),
                "agent_name_folded": "invoice agent",
                "per_transaction_cents": cents,
                "revoked": revoked,
                "created_at": now - timedelta(minutes=1000 - number),
                "expires_at": now + timedelta(days=300),
                "last_seen_run": finished_run,
                "last_seen_at": now,
            }
            | extra
        )

    return add


def emails(answer) -> list[str]:
    return [row.email for row in answer.rows]


def test_sorts_by_any_column_either_way(invitation):
    invitation("carol@example.com", expires_at=timezone.now() + timedelta(days=2))
    invitation("alice@example.com", expires_at=timezone.now() + timedelta(days=9))
    invitation("bob@example.com", expires_at=timezone.now() + timedelta(days=5))

    assert emails(query.ask("agent_invitations", sort="email")) == [
        "alice@example.com",
        "bob@example.com",
        "carol@example.com",
    ]
    assert emails(query.ask("agent_invitations", sort="-expires_at"))[0] == "alice@example.com"
    assert emails(query.ask("agent_invitations", sort="expires_at"))[0] == "carol@example.com"
    # Default: newest first.
    assert emails(query.ask("agent_invitations"))[0] == "bob@example.com"


def test_counts_every_match_while_returning_one_page(invitation):
    for number in range(7):
        invitation(f"p{number}@example.com", "PENDING")
    invitation("done@example.com", "ACCEPTED")

    first = query.ask("agent_invitations", filters={"status": "PENDING"}, limit=3)
    last = query.ask("agent_invitations", filters={"status": "PENDING"}, limit=3, offset=6)

    assert first.count == 7
    assert len(first.rows) == 3
    assert first.has_next
    assert not first.has_previous
    assert len(last.rows) == 1
    assert not last.has_next


def test_facets_count_each_value_with_the_other_filters_applied(invitation):
    invitation("a1@example.com", "PENDING", agent=AGENT_A)
    invitation("a2@example.com", "PENDING", agent=AGENT_A)
    invitation("a3@example.com", "EXPIRED", agent=AGENT_A)
    invitation("b1@example.com", "PENDING", agent=AGENT_B)
    invitation("b2@example.com", "CANCELED", agent=AGENT_B)

    answer = query.ask("agent_invitations", filters={"status": ["PENDING"], "agent": AGENT_A})

    assert answer.count == 2
    # Status chips count within agent A; agent chips count within PENDING.
    assert answer.facets["status"] == {"PENDING": 2, "EXPIRED": 1}
    assert answer.facets["agent"] == {AGENT_A: 2, AGENT_B: 1}


def test_permission_filter_needs_every_chosen_permission_and_counts_each(invitation):
    invitation("r@example.com", permissions=("payments.read",))
    invitation("rc@example.com", permissions=("payments.read", "payments.create"))
    invitation("w@example.com", permissions=("wallets.read",))

    both = query.ask(
        "agent_invitations", filters={"permission": ["payments.read", "payments.create"]}
    )
    counts = query.ask("agent_invitations").facets["permission"]

    assert emails(both) == ["rc@example.com"]
    assert counts["payments.read"] == 2
    assert counts["payments.create"] == 1
    assert counts["wallets.read"] == 1
    assert counts["party.update"] == 0


def test_delegations_filter_by_state_limit_and_expiry(delegation):
    delegation("Active Big", cents=500_000)
    delegation("Active Small", cents=10_000)
    delegation("Revoked Big", revoked=True, cents=900_000)
    delegation("Soon", cents=50_000, expires_at=timezone.now() + timedelta(days=3))

    active = query.ask("agent_delegations", filters={"state": "active"}, sort="customer_name")
    big = query.ask("agent_delegations", filters={"state": "active", "limit_at_least": 100_000})
    soon = query.ask("agent_delegations", filters={"expiring_within_days": "7"})

    assert [row.customer_name for row in active.rows] == ["Active Big", "Active Small", "Soon"]
    assert active.facets["state"] == {"active": 3, "revoked": 1}
    assert [row.customer_name for row in big.rows] == ["Active Big"]
    assert [row.customer_name for row in soon.rows] == ["Soon"]


def test_search_by_part_of_an_email_ranks_like_customer_search(invitation):
    invitation("xjordan@example.com")
    invitation("jordan@example.com")
    invitation("jordan.smith@example.com")
    invitation("someone@example.com")

    answer = query.ask("agent_invitations", search_for="JORDAN@example.com")
    partial = query.ask("agent_invitations", search_for="jordan")

    assert emails(answer)[0] == "jordan@example.com"
    # No exact match: prefix before substring, whatever the sort within each.
    assert emails(partial) == [
        "jordan.smith@example.com",
        "jordan@example.com",
        "xjordan@example.com",
    ]
    assert partial.count == 3


def test_search_by_part_of_an_id_or_a_whole_customer_id(invitation, delegation):
    wanted = invitation("someone@example.com", customer_party_id="pty_" + "c" * 32)
    invitation("other@example.com")
    found = delegation("Maria Lopez")
    delegation("Other Customer")

    by_part = query.ask("agent_invitations", search_for=wanted.invitation_id[-10:])
    by_customer = query.ask("agent_invitations", search_for="pty_" + "c" * 32)
    by_name = query.ask("agent_delegations", search_for="lope")

    assert [row.pk for row in by_part.rows] == [wanted.pk]
    assert [row.pk for row in by_customer.rows] == [wanted.pk]
    assert [row.pk for row in by_name.rows] == [found.pk]


def test_search_counts_and_facets_cover_only_what_matches(invitation):
    invitation("maria@example.com", "PENDING")
    invitation("mariana@example.com", "EXPIRED")
    invitation("zed@example.com", "PENDING")

    answer = query.ask("agent_invitations", search_for="mari", filters={"status": "PENDING"})

    assert answer.count == 1
    assert answer.facets["status"] == {"PENDING": 1, "EXPIRED": 1}


def test_delegation_invitations_filter_and_count(finished_run):
    now = timezone.now()
    for number, status in enumerate(["PENDING", "PENDING", "REVOKED"]):
        IndexedDelegationInvitation.objects.create(
            invitation_id=f"din_{number:032x}",
            email=f"d{number}@example.com",
            email_folded=f"d{number}@example.com",
            status=status,
            created_at=now - timedelta(minutes=number),
            last_seen_run=finished_run,
            last_seen_at=now,
        )

    answer = query.ask("delegation_invitations", filters={"status": "PENDING"})

    assert answer.count == 2
    assert answer.facets["status"] == {"PENDING": 2, "REVOKED": 1}


def test_every_answer_says_how_fresh_it_is(db):
    assert query.ask("agent_invitations").freshness.as_of is None  # never synced

    now = timezone.now()
    full, quick = now - timedelta(minutes=14), now - timedelta(minutes=1)
    for mode, at in (("full", full), ("quick", quick)):
        SyncRun.objects.create(
            resource="agent_invitations",
            mode=mode,
            state=SyncRun.State.COMPLETE,
            started_at=at,
            heartbeat_at=at,
            finished_at=at,
        )
    answer = query.ask("agent_invitations")

    assert answer.freshness.as_of == quick
    assert answer.freshness.complete_as_of == full
    assert answer.freshness.age(now) == timedelta(minutes=1)
    assert not answer.freshness.running


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sort": "password"}, "cannot be sorted by 'password': choose from email"),
        ({"filters": {"colour": "red"}}, "cannot be filtered by 'colour': choose from status"),
        ({"filters": {"permission": "root"}}, "permission cannot be 'root'"),
        ({"filters": {"limit_at_least": "lots"}}, "limit_at_least must be a whole number"),
        ({"filters": {"expiring_within_days": "-1"}}, "between 0 and 3650"),
        ({"limit": 0}, "A page holds 1 to 500 rows"),
        ({"facets": ["email"]}, "have no counts by 'email'"),
    ],
)
def test_bad_questions_get_a_specific_error(db, kwargs, message):
    with pytest.raises(query.QueryError, match=message):
        query.ask("agent_invitations", **kwargs)


def test_unknown_state_and_table_are_named(db):
    with pytest.raises(query.QueryError, match="state cannot be 'gone': choose from active"):
        query.ask("agent_delegations", filters={"state": "gone"})
    with pytest.raises(query.QueryError, match="There is no table 'payments'"):
        query.ask("payments")
