"""The review queue and review marks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from operations import review
from operations.review_marks import ReviewMark
from tests.actions.conftest import sent

pytestmark = pytest.mark.django_db

QUEUE = "delegation-review"


def gets(natural, path_start: str) -> list:
    return [r for r in sent(natural, "GET") if r.path.startswith(path_start)]


def test_the_queue_reads_one_page_and_shows_attention_reasons(natural, manager_client):
    response = manager_client.get(reverse(QUEUE))
    assert response.status_code == 200
    assert len(gets(natural, "/agent-delegations")) == 1
    html = response.content.decode()
    assert "Needs attention" in html
    assert "within each page" in html


def test_the_review_path_is_not_taken_for_a_delegation_id(natural, manager_client):
    response = manager_client.get("/delegations/review/")
    assert response.resolver_match.url_name == QUEUE


def test_the_payments_filter_keeps_only_delegations_that_can_pay(natural, manager_client):
    response = manager_client.get(reverse(QUEUE), {"payments_create": "on"})
    rows = response.context["rows"]
    assert rows, "the seed has delegations with payments.create"
    assert all("payments.create" in row["delegation"].permissions for row in rows)


def test_filters_are_checked(natural, manager_client):
    response = manager_client.get(reverse(QUEUE), {"expiring_within_days": "-3"})
    assert response.status_code == 400
    assert gets(natural, "/agent-delegations") == []


def test_the_agent_filter_goes_upstream(natural, manager_client):
    agent = next(iter(natural.state.agents))
    manager_client.get(reverse(QUEUE), {"agent": agent.id})
    (call,) = gets(natural, "/agent-delegations")
    assert agent.id in call.query


class FakeDelegation:
    def __init__(self, **fields):
        self.limits = None
        self.permissions = ()
        self.expires_at = None
        self.created_at = timezone.now() - timedelta(days=100)
        self.__dict__.update(fields)


def test_criteria_within_a_page():
    now = timezone.now()
    soon = FakeDelegation(expires_at=now + timedelta(days=3))
    later = FakeDelegation(expires_at=now + timedelta(days=30))
    fresh = FakeDelegation(created_at=now - timedelta(days=1))
    expiring = review.Criteria(expiring_within_days=7)
    assert review.matches(soon, expiring, now)
    assert not review.matches(later, expiring, now)
    recent = review.Criteria(created_within_days=2)
    assert review.matches(fresh, recent, now)
    assert not review.matches(soon, recent, now)
    assert review.attention(soon, review.Criteria(), now) == ["Expires within 14 days"]


def test_marking_reviewed_is_stored_and_shown_in_the_queue(natural, manager_client, delegation):
    response = manager_client.post(
        reverse("delegation-review-mark", args=[delegation.id]),
        {
            "verdict": "reviewed",
            "comment": "Limits match the contract",
            "next": "/delegations/review/",
        },
    )
    assert response.status_code == 302
    mark = ReviewMark.objects.get()
    assert mark.delegation_id == delegation.id
    assert mark.customer_party_id == delegation.customer_id
    assert mark.agent_id == delegation.agent_id
    assert mark.actor.username == "manager"
    queue = manager_client.get(reverse(QUEUE)).content.decode()
    assert "Limits match the contract" in queue
    assert sent(natural) == [], "review marks never reach Natural"


def test_flagging_needs_a_comment(natural, manager_client, delegation):
    response = manager_client.post(
        reverse("delegation-review-mark", args=[delegation.id]), {"verdict": "flagged"}
    )
    assert response.status_code == 400
    assert ReviewMark.objects.count() == 0


def test_the_mark_cell_updates_in_place(natural, manager_client, delegation):
    response = manager_client.post(
        reverse("delegation-review-mark", args=[delegation.id]),
        {"verdict": "flagged", "comment": "Limit too high"},
        headers={"HX-Request": "true", "HX-Target": f"review-mark-{delegation.id}"},
    )
    html = response.content.decode()
    assert f'id="review-mark-{delegation.id}"' in html
    assert "badge-flagged" in html
    assert "Limit too high" in html


def test_the_queue_reads_marks_in_one_query(natural, manager_client, make_user):
    from tests.actions.conftest import active_delegations

    user = make_user("admin", username="reviewer")
    for delegation in active_delegations(natural, 10):
        ReviewMark.objects.create(
            delegation_id=delegation.id,
            customer_party_id=delegation.customer_id,
            agent_id=delegation.agent_id,
            verdict="reviewed",
            actor=user,
        )
    manager_client.get(reverse(QUEUE))  # warm the agents cache
    with CaptureQueriesContext(connection) as queries:
        response = manager_client.get(reverse(QUEUE))
    mark_queries = [q for q in queries.captured_queries if "actions_reviewmark" in q["sql"]]
    assert len(mark_queries) == 1
    assert response.content.decode().count("badge-reviewed") >= 1


def test_marks_are_append_only(natural, make_user, delegation):
    mark = ReviewMark.objects.create(
        delegation_id=delegation.id,
        customer_party_id=delegation.customer_id,
        agent_id=delegation.agent_id,
        verdict="reviewed",
        actor=make_user("manager"),
    )
    with pytest.raises(PermissionError):
        mark.save()
    with pytest.raises(PermissionError):
        mark.delete()
    with pytest.raises(PermissionError):
        ReviewMark.objects.all().delete()
