"""Marking many rows of the review queue in one request, and undoing it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from operations.review_marks import ReviewMark
from read_model import sync
from read_model.models import SyncRun
from tests.operations.support import sent

pytestmark = pytest.mark.django_db

QUEUE = "delegation-review"
MARKS = "delegation-review-marks"
UNDO = "delegation-review-undo"
HTMX = {"HX-Request": "true", "HX-Target": "review-toast"}


@pytest.fixture
def queue_ids(natural, manager_client):
    run = sync.sync(SyncRun.Resource.AGENT_DELEGATIONS)
    assert run.state == SyncRun.State.COMPLETE, run.error
    response = manager_client.get(reverse(QUEUE), {"limit": 50})
    return [row["delegation"].agent_delegation_id for row in response.context["queue"].rows]


def left(client) -> int:
    return client.get(reverse(QUEUE)).context["queue"].count


def test_eighteen_rows_marked_reviewed_in_one_request(natural, manager_client, queue_ids):
    before, writes = left(manager_client), len(sent(natural))
    chosen = queue_ids[:18]
    response = manager_client.post(
        reverse(MARKS), {"delegation": chosen, "verdict": "reviewed"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "18 marked reviewed" in response.content.decode()
    assert response["HX-Trigger"] == "review-queue-changed"
    marks = ReviewMark.objects.filter(delegation_id__in=chosen)
    assert sorted(marks.values_list("delegation_id", flat=True)) == sorted(chosen)
    assert {mark.actor.get_username() for mark in marks} == {"manager"}
    assert left(manager_client) == before - 18
    assert len(sent(natural)) == writes, "marks stay in the dashboard"


def test_flagging_many_needs_one_comment_and_keeps_it_on_each(natural, manager_client, queue_ids):
    refused = manager_client.post(
        reverse(MARKS), {"delegation": queue_ids[:3], "verdict": "flagged"}, headers=HTMX
    )
    assert "Say why you flag it" in refused.content.decode()
    assert refused["HX-Retarget"] == "#action-dialog-body"
    assert not ReviewMark.objects.exists()
    flagged = manager_client.post(
        reverse(MARKS),
        {"delegation": queue_ids[:3], "verdict": "flagged", "comment": "Limits look high"},
        headers=HTMX,
    )
    assert "3 flagged" in flagged.content.decode()
    assert set(ReviewMark.objects.values_list("comment", flat=True)) == {"Limits look high"}
    response = manager_client.get(reverse(QUEUE), {"review": "flagged"})
    assert response.context["queue"].count == 3


def test_the_dialog_asks_for_the_comment_of_a_flag(natural, manager_client, queue_ids):
    response = manager_client.get(
        reverse(MARKS),
        {"delegation": queue_ids[:2], "verdict": "flagged"},
        headers={"HX-Request": "true", "HX-Target": "action-dialog-body"},
    )
    html = response.content.decode()
    assert "Flag 2 delegations" in html
    assert 'name="comment"' in html
    assert "required" in html
    assert not ReviewMark.objects.exists()


def test_without_javascript_the_bar_opens_a_page_then_a_result_with_undo(
    natural, manager_client, queue_ids
):
    page = manager_client.get(reverse(MARKS), {"delegation": queue_ids[:2], "verdict": "reviewed"})
    assert page.status_code == 200
    assert "Mark 2 delegations reviewed" in page.content.decode()
    result = manager_client.post(
        reverse(MARKS),
        {"delegation": queue_ids[:2], "verdict": "reviewed", "next": "/delegations/review/"},
    )
    html = result.content.decode()
    assert "2 marked reviewed" in html
    assert "Undo" in html
    assert 'href="/delegations/review/"' in html


def test_undo_puts_the_rows_back_and_is_recorded(natural, manager_client, queue_ids):
    before = left(manager_client)
    manager_client.post(reverse(MARKS), {"delegation": queue_ids[:5], "verdict": "reviewed"})
    ids = list(ReviewMark.objects.values_list("pk", flat=True))
    assert left(manager_client) == before - 5
    response = manager_client.post(reverse(UNDO), {"mark": ids[:1]}, headers=HTMX)
    assert "1 mark undone" in response.content.decode()
    assert left(manager_client) == before - 4
    undone = ReviewMark.objects.get(verdict=ReviewMark.Verdict.UNDONE)
    assert "Undid “Reviewed”" in undone.comment
    assert ReviewMark.objects.count() == 6, "the mark and its undoing are both kept"
    # The delegation's history shows both.
    detail = manager_client.get(reverse("delegation-detail", args=[undone.delegation_id]))
    html = detail.content.decode()
    assert "Undone" in html
    assert "Reviewed" in html
    again = manager_client.post(reverse(UNDO), {"mark": ids[:1]}, headers=HTMX)
    assert "0 marks undone" in again.content.decode()
    assert "1 could no longer be undone" in again.content.decode()


def test_only_ones_own_recent_marks_can_be_undone(natural, manager_client, make_user, queue_ids):
    manager_client.post(reverse(MARKS), {"delegation": queue_ids[:1], "verdict": "reviewed"})
    mark = ReviewMark.objects.get()
    other = Client()
    other.force_login(make_user("manager", "other-manager"))
    response = other.post(reverse(UNDO), {"mark": [mark.pk]}, headers=HTMX)
    assert "0 marks undone" in response.content.decode()
    old = ReviewMark(
        delegation_id=queue_ids[1],
        customer_party_id="pty_x",
        agent_id="agt_x",
        verdict="reviewed",
        actor=mark.actor,
        created_at=timezone.now() - timedelta(hours=1),
    )
    old.save()
    response = manager_client.post(reverse(UNDO), {"mark": [old.pk]}, headers=HTMX)
    assert "0 marks undone" in response.content.decode()
    assert not ReviewMark.objects.filter(verdict=ReviewMark.Verdict.UNDONE).exists()


def test_support_cannot_mark_or_undo(natural, support_client):
    first = next(iter(natural.state.agent_delegations.newest_first())).id
    assert support_client.post(reverse(MARKS), {"delegation": [first]}).status_code == 403
    assert support_client.post(reverse(UNDO), {"mark": [1]}).status_code == 403


def test_the_queue_offers_a_selection_bar_and_row_actions_without_a_form_in_the_row(
    natural, manager_client, queue_ids
):
    html = manager_client.get(reverse(QUEUE)).content.decode()
    assert "data-selectable" in html
    for words in ("Mark reviewed", "Flag…", "Revoke selected…"):
        assert words in html
    assert '<details class="mark-form"' not in html
