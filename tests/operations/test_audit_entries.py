"""The audit log lists entries: a write made alone, a batch (one entry with its parts' totals,
its parts on the batch page), and every review mark and its undoing, one entry each."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from operations import engine
from operations.models import Batch, BatchState, Operation
from operations.review_marks import ReviewMark
from read_model import sync
from read_model.models import IndexedAgentDelegation, SyncRun
from saved_views.models import SavedView
from tests.operations.support import emails, invite_arguments, invite_batch, settle_parts

pytestmark = pytest.mark.django_db

MARKS = "delegation-review-marks"
UNDO = "delegation-review-undo"
HTMX = {"HX-Request": "true", "HX-Target": "review-toast"}


def entries(client, **query) -> list:
    response = client.get("/audit/", query)
    assert response.status_code == 200, response.content.decode()[:500]
    return list(response.context["rows"])


def kinds(client, **query) -> list[str]:
    return [entry.kind for entry in entries(client, **query)]


def caption(client, **query) -> str:
    body = client.get("/audit/", query).content.decode()
    return re.search(r'<span class="muted small">· ([^<]+)</span></caption>', body).group(1)


def export_lines(client, url: str, **query) -> list[list[str]]:
    response = client.get(url, query)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def mixed_batch(admin, agent_id) -> Batch:
    """Four parts of three recipients: two invited, one refused, one unknown; finished."""
    batch = invite_batch(admin, agent_id, parts=4, per_part=3, start=100)
    settle_parts(batch, "succeeded", "succeeded", "failed", "unknown")
    Batch.objects.filter(pk=batch.pk).update(state=BatchState.DONE, finished_at=timezone.now())
    batch.refresh_from_db()
    return batch


@pytest.fixture
def single(admin, agent_id) -> Operation:
    """One write made alone, after the batch."""
    return engine.prepare(**invite_arguments(admin, agent_id, emails(2, start=900)))


@pytest.fixture
def queue_ids(natural) -> list[str]:
    """The active delegations of the local copy, which the review queue marks."""
    run = sync.sync(SyncRun.Resource.AGENT_DELEGATIONS)
    assert run.state == SyncRun.State.COMPLETE, run.error
    active = IndexedAgentDelegation.objects.filter(revoked=False).order_by("agent_delegation_id")
    return list(active.values_list("agent_delegation_id", flat=True))


def test_a_batch_is_one_entry_with_its_totals(admin_client, mixed_batch, single):
    assert kinds(admin_client) == ["operation", "batch"]
    assert caption(admin_client) == "2 entries"
    body = html.unescape(admin_client.get("/audit/").content.decode())
    row = body.split(f'data-row="batch-{mixed_batch.pk}"')[1].split("</tr>")[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
    assert "Invite customers to an agent" in text
    assert "4 parts" in text
    assert "12 recipients" in text
    assert "6 invited" in text
    assert "3 refused" in text
    assert "needs attention" in text
    assert "Done" in text
    assert f'href="/operations/batches/{mixed_batch.key}/"' in row
    for part in mixed_batch.operations.all():
        assert str(part.key) not in body, "the parts are on the batch page, not in the log"


def test_a_single_write_stays_one_entry_as_before(admin_client, single):
    (entry,) = entries(admin_client)
    assert entry.kind == "operation"
    body = admin_client.get("/audit/").content.decode()
    assert f'href="/audit/{single.pk}/"' in body
    assert f'href="/natural-requests/?key={single.key}"' in body


def test_a_search_for_a_part_or_a_recipient_finds_its_batch(admin_client, mixed_batch, single):
    third = mixed_batch.operations.get(chunk_index=2)
    for query in (str(third.key), "person107@", str(mixed_batch.key)[:13]):
        found = entries(admin_client, q=query)
        assert [(e.kind, e.id) for e in found] == [("batch", mixed_batch.pk)], query
    assert [e.id for e in entries(admin_client, q="person901@")] == [single.pk]


def test_the_state_filter_lists_a_batch_under_its_own_state_and_its_parts(
    admin_client, mixed_batch, single
):
    assert kinds(admin_client, state="failed") == ["batch"]
    assert kinds(admin_client, state="unknown") == ["batch"]
    assert kinds(admin_client, state="done") == ["batch"]
    assert kinds(admin_client, state="pending") == ["operation"]
    assert kinds(admin_client, state="paused") == []
    assert caption(admin_client, state="failed") == "1 entry, filtered"


def test_actor_action_and_dates_filter_batches_like_single_writes(
    admin_client, admin, make_user, agent_id, mixed_batch, single
):
    other = make_user("admin", username="bea")
    theirs = invite_batch(other, agent_id, parts=2, per_part=1, start=500)
    assert [e.id for e in entries(admin_client, actor="bea")] == [theirs.pk]
    assert kinds(admin_client, actor="ada") == ["operation", "batch"]
    assert kinds(admin_client, action="revoke_agent_access") == []
    assert len(entries(admin_client, action="invite_customers")) == 3
    Batch.objects.filter(pk=mixed_batch.pk).update(created_at=timezone.now() - timedelta(days=3))
    today = timezone.now().date().isoformat()
    assert mixed_batch.pk not in [e.id for e in entries(admin_client, since=today)]
    old = (timezone.now() - timedelta(days=3)).date().isoformat()
    assert [e.id for e in entries(admin_client, since=old, until=old)] == [mixed_batch.pk]


def test_a_bulk_revoke_is_one_entry_that_leads_to_its_outcome(natural, manager_client):
    from tests.operations.support import active_delegations, new_key

    chosen = active_delegations(natural, 3)
    key = new_key()
    manager_client.post(
        reverse("delegation-bulk-revoke"),
        {"key": key, "reason": "Customer request", "delegation": [d.id for d in chosen]},
    )
    (entry,) = entries(manager_client)
    assert entry.kind == "batch"
    body = html.unescape(manager_client.get("/audit/").content.decode())
    assert "3 pairs" in body
    assert "3 revoked" in body
    assert "Customer request" in body
    assert reverse("delegation-bulk-revoke-result", args=[key]) in body
    outcome = manager_client.get(reverse("delegation-bulk-revoke-result", args=[key])).text
    assert f'href="/audit/?q={key}"' in outcome, "the outcome leads back to its entry"


def test_sort_and_pages_run_across_writes_batches_and_marks(
    admin_client, admin, make_user, agent_id, mixed_batch, single
):
    bea = make_user("manager", username="bea")
    for index in range(22):
        ReviewMark.objects.create(
            delegation_id=f"adl_{index:04d}",
            customer_party_id="pty_1",
            agent_id=agent_id,
            verdict="reviewed",
            actor=bea,
        )
    first = admin_client.get("/audit/", {"limit": 20})
    assert len(first.context["rows"]) == 20
    assert "1–20 of 24" in first.content.decode()
    second = entries(admin_client, limit=20, offset=20)
    assert len(second) == 4
    assert {e.kind for e in second} >= {"batch", "operation"}, "the oldest two come last"
    by_actor = entries(admin_client, sort="actor", limit=50)
    assert [e.actor.get_username() for e in by_actor] == ["ada"] * 2 + ["bea"] * 22
    by_attempts = entries(admin_client, sort="-attempts", limit=50)
    assert len(by_attempts) == 24
    assert admin_client.get("/audit/", {"sort": "nonsense"}).status_code == 400


def test_every_mark_and_its_undo_is_an_entry(natural, manager_client, queue_ids):
    chosen = queue_ids[:18]
    manager_client.post(reverse(MARKS), {"delegation": chosen, "verdict": "reviewed"}, headers=HTMX)
    listed = entries(manager_client, limit=50)
    assert len(listed) == 18, "one entry per mark"
    assert {e.kind for e in listed} == {"mark"}
    assert sorted(e.mark.delegation_id for e in listed) == sorted(chosen)
    body = html.unescape(manager_client.get("/audit/", {"limit": 50}).content.decode())
    assert body.count("Mark reviewed</td>") == 18
    for delegation_id in chosen:
        assert f'href="/delegations/{delegation_id}/"' in body

    newest = ReviewMark.objects.filter(delegation_id=chosen[0]).get()
    manager_client.post(reverse(UNDO), {"mark": [newest.pk]}, headers=HTMX)
    assert caption(manager_client) == "19 entries"
    (undo,) = entries(manager_client, action="mark_undone")
    assert undo.mark.delegation_id == chosen[0]
    assert "Undo mark" in manager_client.get("/audit/", {"action": "mark_undone"}).text
    assert len(entries(manager_client, q=chosen[0])) == 2, "the mark and its undoing"
    customer = IndexedAgentDelegation.objects.get(agent_delegation_id=chosen[0]).customer_name
    by_name = entries(manager_client, q=customer, limit=50)
    assert chosen[0] in {e.mark.delegation_id for e in by_name}
    assert all(customer.lower() in e.delegation.customer_name.lower() for e in by_name)
    assert len(entries(manager_client, actor="manager", limit=50)) == 19
    assert len(entries(manager_client, action="mark_reviewed", limit=50)) == 18


def test_a_flag_shows_its_comment_isolated(natural, manager_client, queue_ids):
    comment = "Limits \u202eevil\u202c look high"
    manager_client.post(
        reverse(MARKS),
        {"delegation": queue_ids[:2], "verdict": "flagged", "comment": comment},
        headers=HTMX,
    )
    body = manager_client.get("/audit/", {"action": "mark_flagged"}).content.decode()
    assert body.count(f"<bdi>{comment}</bdi>") == 2
    assert body.count(">Flag</td>") == 2


def test_marks_hold_no_natural_state(admin_client, admin, agent_id, single):
    ReviewMark.objects.create(
        delegation_id="adl_1",
        customer_party_id="pty_1",
        agent_id=agent_id,
        verdict="flagged",
        comment="why",
        actor=admin,
    )
    assert kinds(admin_client) == ["mark", "operation"]
    assert "Recorded" in admin_client.get("/audit/").text
    assert kinds(admin_client, state="recorded") == ["mark"]
    assert kinds(admin_client, state="pending") == ["operation"]
    assert kinds(admin_client, action="mark_flagged", state="succeeded") == []


def test_the_export_under_the_table_has_one_line_per_entry(
    admin_client, admin, agent_id, mixed_batch, single
):
    ReviewMark.objects.create(
        delegation_id="adl_7",
        customer_party_id="pty_7",
        agent_id=agent_id,
        verdict="flagged",
        comment="=cmd()",
        actor=admin,
    )
    page = admin_client.get("/audit/")
    lines = export_lines(admin_client, page.context["export_url"])
    header, rows = lines[0], lines[1:]
    assert len(rows) == 3 == len(page.context["rows"]), "the export agrees with the list"
    by_entry = {row[header.index("entry")]: dict(zip(header, row, strict=True)) for row in rows}
    batch = by_entry["batch"]
    assert batch["key"] == str(mixed_batch.key)
    assert (batch["parts"], batch["recipients"], batch["invited"], batch["refused"]) == (
        "4",
        "12",
        "6",
        "3",
    )
    assert batch["state"] == "done"
    assert batch["needs_attention"] == "yes"
    mark = by_entry["mark"]
    assert (mark["action"], mark["state"], mark["delegation"]) == (
        "mark_flagged",
        "recorded",
        "adl_7",
    )
    assert mark["comment"] == "'=cmd()"
    filtered = export_lines(admin_client, page.context["export_url"], state="failed")
    assert [row[header.index("entry")] for row in filtered[1:]] == ["batch"]


def test_the_per_request_export_keeps_one_line_per_request(admin_client, mixed_batch, single):
    lines = export_lines(admin_client, reverse("audit-export"))
    assert lines[0][:4] == ["created_at", "finished_at", "key", "batch"]
    assert len(lines) - 1 == 5, "every part of the batch, and the single write"
    body = admin_client.get("/audit/").content.decode()
    assert reverse("audit-export") in body, "the page still offers it"


def test_support_cannot_export_the_entries(support_client, mixed_batch):
    assert support_client.get(reverse("audit-entries-export")).status_code == 403


def test_an_invalid_filter_exports_nothing(admin_client, mixed_batch):
    response = admin_client.get(reverse("audit-entries-export"), {"state": "bogus"})
    assert response.status_code == 400
    assert str(mixed_batch.key) not in response.content.decode()


def test_a_part_links_to_its_batch_entry_and_the_batch_page_back(admin_client, mixed_batch):
    part = mixed_batch.operations.get(chunk_index=1)
    entry_url = f"/audit/?q={mixed_batch.key}"
    detail = admin_client.get(f"/audit/{part.pk}/").content.decode()
    assert f'href="{entry_url}"' in detail
    batch_page = admin_client.get(f"/operations/batches/{mixed_batch.key}/").content.decode()
    assert f'href="{entry_url}"' in batch_page
    assert [(e.kind, e.id) for e in entries(admin_client, q=str(mixed_batch.key))] == [
        ("batch", mixed_batch.pk)
    ]


def test_a_page_of_entries_costs_the_same_queries_for_one_or_many(admin_client, admin, agent_id):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get("/audit/", {"limit": 50}).status_code == 200
        return len(captured)

    def add(count: int, start: int) -> None:
        for index in range(count):
            batch = invite_batch(admin, agent_id, parts=3, per_part=2, start=start + index * 10)
            settle_parts(batch, "succeeded", "failed")
            engine.prepare(**invite_arguments(admin, agent_id, emails(1, start=start + index)))
            ReviewMark.objects.create(
                delegation_id=f"adl_{start + index}",
                customer_party_id="pty_1",
                agent_id=agent_id,
                verdict="reviewed",
                actor=admin,
            )

    add(1, 0)
    queries()  # the session's first page reads what later pages find cached
    few = queries()
    add(12, 1000)
    assert queries() == few


def test_a_saved_view_of_undone_marks_opens_them(admin_client, admin, agent_id, single):
    for verdict in ("reviewed", "undone"):
        ReviewMark.objects.create(
            delegation_id="adl_9",
            customer_party_id="pty_9",
            agent_id=agent_id,
            verdict=verdict,
            actor=admin,
        )
    saved = admin_client.post(
        reverse("saved-view-save"),
        {"table": "audit_log", "name": "Undone", "query": "action=mark_undone&state=recorded"},
    )
    assert saved.status_code == 302
    opened = admin_client.post(
        reverse("saved-view-open"), {"view": SavedView.objects.get(name="Undone").pk}
    )
    listed = admin_client.get(opened["Location"])
    assert [(e.kind, e.action) for e in listed.context["rows"]] == [("mark", "mark_undone")]
    assert "Undone" in listed.content.decode(), "the view bar names the view"


def test_the_entries_export_has_every_entry_once_past_its_chunks(admin_client, admin, agent_id):
    ReviewMark.objects.bulk_create(
        ReviewMark(
            delegation_id=f"adl_{index:05d}",
            customer_party_id="pty_1",
            agent_id=agent_id,
            verdict="reviewed",
            actor=admin,
        )
        for index in range(1203)
    )
    lines = export_lines(admin_client, reverse("audit-entries-export"))
    delegations = [row[lines[0].index("delegation")] for row in lines[1:]]
    assert len(delegations) == len(set(delegations)) == 1203
