"""The review queue over the read model, and review marks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from natural import reads
from operations.review_marks import ReviewMark
from read_model import sync
from read_model import tasks as read_model_tasks
from read_model.models import IndexedAgentDelegation, SyncRun
from tests.operations.support import sent

pytestmark = pytest.mark.django_db

QUEUE = "delegation-review"
ADL = SyncRun.Resource.AGENT_DELEGATIONS


def gets(natural, path_start: str) -> list:
    return [r for r in sent(natural, "GET") if r.path.startswith(path_start)]


def active_records() -> list:
    """Every active delegation, walked through Natural's documented list."""
    found, cursor = [], None
    while True:
        page = reads.list_agent_delegations(cursor=cursor, limit=100)
        found += page.items
        if not page.has_more:
            return found
        cursor = page.next_cursor


@pytest.fixture
def read_model(natural):
    run = sync.sync(ADL)
    assert run.state == SyncRun.State.COMPLETE, run.error
    return active_records()


def shown_ids(response) -> list[str]:
    return [row["delegation"].agent_delegation_id for row in response.context["queue"].rows]


def mark(client, adl_id: str, verdict: str = "reviewed", **extra):
    return client.post(
        reverse("delegation-review-mark", args=[adl_id]),
        {"verdict": verdict, "comment": extra.pop("comment", "Looked at"), **extra},
    )


def test_the_queue_counts_every_active_delegation_without_asking_natural(
    natural, manager_client, read_model
):
    before = len(gets(natural, "/agent-delegations"))
    response = manager_client.get(reverse(QUEUE))
    assert response.status_code == 200
    assert len(gets(natural, "/agent-delegations")) == before
    queue = response.context["queue"]
    assert queue.count == len(read_model)
    html = response.content.decode()
    assert f"{len(read_model)} left to review" in html
    assert "Delegations as of" in html


def test_the_review_path_is_not_taken_for_a_delegation_id(natural, manager_client):
    response = manager_client.get("/delegations/review/")
    assert response.resolver_match.url_name == QUEUE


def expected(records, name: str, value) -> set[str]:
    now = timezone.now()
    keep = {
        "permission": lambda d: value in d.permissions,
        "agent": lambda d: d.agent_id == value,
        "created_by": lambda d: d.created_by == value,
        "limit_above": lambda d: (
            d.limits is not None
            and d.limits.per_transaction is not None
            and d.limits.per_transaction.dollars >= Decimal(value)
        ),
        "expiring_within_days": lambda d: (
            d.expires_at is not None and now <= d.expires_at < now + timedelta(days=int(value))
        ),
    }[name]
    return {d.id for d in records if keep(d)}


def every_page(client, params: dict) -> list[str]:
    ids, offset = [], 0
    while True:
        response = client.get(reverse(QUEUE), {**params, "offset": offset, "limit": 20})
        assert response.status_code == 200, response.content
        ids += shown_ids(response)
        queue = response.context["queue"]
        if not queue.has_next:
            return ids
        offset = queue.next_offset


@pytest.mark.parametrize(
    ("name", "pick"),
    [
        ("permission", lambda records: "payments.create"),
        ("agent", lambda records: records[-1].agent_id),
        ("created_by", lambda records: records[0].created_by),
        ("limit_above", lambda records: "100"),
        ("expiring_within_days", lambda records: "90"),
    ],
)
def test_each_filter_covers_every_delegation_not_one_page(
    natural, manager_client, read_model, name, pick
):
    value = pick(read_model)
    wanted = expected(read_model, name, value)
    assert wanted, f"the seed has delegations for {name}={value}"
    ids = every_page(manager_client, {name: value})
    assert set(ids) == wanted
    assert len(ids) == len(wanted), "no row shown twice across pages"
    response = manager_client.get(reverse(QUEUE), {name: value})
    assert response.context["queue"].count == len(wanted)


def test_previous_and_next_walk_the_whole_queue(natural, manager_client, read_model):
    assert len(read_model) > 40, "the seed fills more than two pages of 20"
    first = manager_client.get(reverse(QUEUE), {"limit": 20})
    html = first.content.decode()
    assert 'rel="next"' in html
    assert 'rel="prev"' not in html
    second = manager_client.get(reverse(QUEUE), {"limit": 20, "offset": 20})
    assert 'rel="prev"' in second.content.decode()
    assert not set(shown_ids(first)) & set(shown_ids(second))
    assert set(every_page(manager_client, {})) == {d.id for d in read_model}


def test_a_reviewed_row_leaves_the_queue_and_the_count_drops(natural, manager_client, read_model):
    first = manager_client.get(reverse(QUEUE), {"limit": 20})
    left = first.context["queue"].count
    reviewed, flagged = shown_ids(first)[:2]
    writes = len(sent(natural))

    assert mark(manager_client, reviewed, next="/delegations/review/").status_code == 302
    assert mark(manager_client, flagged, "flagged", comment="Limit too high").status_code == 302

    after = manager_client.get(reverse(QUEUE), {"limit": 20})
    assert after.context["queue"].count == left - 2
    assert reviewed not in shown_ids(after)
    assert flagged not in shown_ids(after)
    assert f"{left - 2} left to review" in after.content.decode()
    done = manager_client.get(reverse(QUEUE), {"review": "reviewed"})
    assert shown_ids(done) == [reviewed]
    assert "Looked at" in done.content.decode()
    assert shown_ids(manager_client.get(reverse(QUEUE), {"review": "flagged"})) == [flagged]
    assert len(sent(natural)) == writes, "review marks never reach Natural"


def test_a_row_marked_again_moves_to_its_latest_verdict(natural, manager_client, read_model):
    adl_id = read_model[0].id
    mark(manager_client, adl_id, "flagged", comment="Check the limit")
    mark(manager_client, adl_id, "reviewed")
    counts = manager_client.get(reverse(QUEUE)).context["queue"].counts
    assert counts == {"unreviewed": len(read_model) - 1, "flagged": 0, "reviewed": 1}


def test_revoked_delegations_are_not_in_the_queue(natural, manager_client, read_model):
    revoked = IndexedAgentDelegation.objects.filter(revoked=True)
    assert revoked.exists(), "the seed has revoked delegations"
    ids = set(every_page(manager_client, {}))
    assert not ids & set(revoked.values_list("agent_delegation_id", flat=True))


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("limit_above", "lots", "Enter a number."),
        ("limit_above", "-5", "greater than or equal to 0"),
        ("expiring_within_days", "-3", "greater than or equal to 1"),
        ("expiring_within_days", "soon", "Enter a whole number."),
        ("agent", "agt_nope", "Select a valid choice."),
        ("permission", "payments.everything", "Select a valid choice."),
        ("created_by", "usr_nobody", "Select a valid choice."),
        ("review", "maybe", "Select a valid choice."),
        ("offset", "-1", "greater than or equal to 0"),
        ("limit", "7", "Select a valid choice."),
    ],
)
def test_bad_filter_values_get_a_field_error(
    natural, manager_client, read_model, field, value, says
):
    response = manager_client.get(reverse(QUEUE), {field: value})
    assert response.status_code == 400
    assert says in " ".join(response.context["form"].errors[field])
    assert says in response.content.decode().replace("&#x27;", "'")


def test_the_queue_reads_marks_in_one_query(natural, manager_client, make_user, read_model):
    user = make_user("admin", username="reviewer")
    for record in read_model[:10]:
        ReviewMark.objects.create(
            delegation_id=record.id,
            customer_party_id=record.delegating_party_id,
            agent_id=record.agent_id,
            verdict="reviewed",
            actor=user,
        )
    with CaptureQueriesContext(connection) as queries:
        response = manager_client.get(reverse(QUEUE), {"review": "reviewed"})
    page_reads = [
        q
        for q in queries.captured_queries
        if "actions_reviewmark" in q["sql"] and "COUNT" not in q["sql"].upper()
    ]
    assert len(page_reads) == 2, "one for the page, one for its marks"
    assert response.content.decode().count("badge-reviewed") == 10


def test_refresh_starts_a_full_pass_of_the_delegations(natural, manager_client, monkeypatch):
    launched = []
    monkeypatch.setattr(read_model_tasks, "launch", launched.append)
    response = manager_client.post(
        reverse("delegation-review-refresh"), {"next": "/delegations/review/?limit=20"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/delegations/review/?limit=20"
    (run,) = launched
    assert (run.resource, run.mode, run.state) == (ADL, SyncRun.Mode.FULL, SyncRun.State.RUNNING)
    again = manager_client.post(reverse("delegation-review-refresh"), follow=True)
    assert "already being refreshed" in again.content.decode()
    assert "a refresh is running" in again.content.decode()


def test_support_cannot_see_or_refresh_the_queue(natural, support_client):
    assert support_client.get(reverse(QUEUE)).status_code == 403
    assert support_client.post(reverse("delegation-review-refresh")).status_code == 403
    assert not SyncRun.objects.exists()


# --- revoke from the queue: the confirmation reads Natural again --------------------------------


def revoke_link(html: str, adl_id: str) -> str:
    import html as html_module
    import re

    match = re.search(rf'href="(/delegations/{adl_id}/revoke/confirm/\?[^"]+)"', html)
    assert match, "the queue row links to the confirmation page"
    return html_module.unescape(match.group(1))


def test_revoke_from_the_queue_names_a_delegation_that_has_gone(
    natural, manager_client, read_model
):
    # A row the read model still lists that Natural no longer has.
    row = IndexedAgentDelegation.objects.filter(revoked=False).first()
    row.pk, row.agent_delegation_id = None, "adl_" + "f" * 32
    row.created_at = timezone.now() + timedelta(days=1)
    row.save()
    link = revoke_link(manager_client.get(reverse(QUEUE)).content.decode(), row.agent_delegation_id)
    writes = len(sent(natural))
    response = manager_client.get(link)
    assert response.status_code == 404
    assert "This delegation is gone from Natural" in response.content.decode()
    assert len(sent(natural)) == writes, "nothing is sent"


def test_revoke_from_the_queue_names_a_delegation_that_changed(natural, manager_client, read_model):
    adl_id = read_model[0].id
    link = revoke_link(manager_client.get(reverse(QUEUE)).content.decode(), adl_id)
    unchanged = manager_client.get(link).content.decode()
    assert "data-changed" not in unchanged
    with natural.state.lock:
        record = natural.state.agent_delegations.get(adl_id)
        record.per_transaction_limit = (record.per_transaction_limit or 0) + 100_000
        record.updated_at = natural.clock.now() + timedelta(seconds=1)
    writes = len(sent(natural))
    changed = manager_client.get(link).content.decode()
    assert "changed in Natural since the list you came from was read" in changed
    assert len(sent(natural)) == writes, "the confirmation sends nothing"


# --- marks -------------------------------------------------------------------------------------


def test_marking_reviewed_is_stored_and_shown(natural, manager_client, delegation):
    response = mark(
        manager_client,
        delegation.id,
        comment="Limits match the contract",
        next="/delegations/review/?review=reviewed",
    )
    assert response.status_code == 302
    assert response["Location"] == "/delegations/review/?review=reviewed"
    created = ReviewMark.objects.get()
    assert created.delegation_id == delegation.id
    assert created.customer_party_id == delegation.customer_id
    assert created.agent_id == delegation.agent_id
    assert created.actor.username == "manager"
    assert sent(natural) == [], "review marks never reach Natural"


def test_flagging_needs_a_comment(natural, manager_client, delegation):
    response = manager_client.post(
        reverse("delegation-review-mark", args=[delegation.id]), {"verdict": "flagged"}
    )
    assert response.status_code == 400
    assert ReviewMark.objects.count() == 0


def test_the_mark_cell_updates_in_place_and_tells_the_queue(natural, manager_client, delegation):
    response = manager_client.post(
        reverse("delegation-review-mark", args=[delegation.id]),
        {"verdict": "flagged", "comment": "Limit too high"},
        headers={"HX-Request": "true", "HX-Target": f"review-mark-{delegation.id}"},
    )
    html = response.content.decode()
    assert f'id="review-mark-{delegation.id}"' in html
    assert "badge-flagged" in html
    assert "Limit too high" in html
    assert response["HX-Trigger"] == "review-queue-changed"


def test_marks_are_append_only(natural, make_user, delegation):
    created = ReviewMark.objects.create(
        delegation_id=delegation.id,
        customer_party_id=delegation.customer_id,
        agent_id=delegation.agent_id,
        verdict="reviewed",
        actor=make_user("manager"),
    )
    with pytest.raises(PermissionError):
        created.save()
    with pytest.raises(PermissionError):
        created.delete()
    with pytest.raises(PermissionError):
        ReviewMark.objects.all().delete()


def test_the_rows_select_shows_the_page_size_the_queue_uses(natural, manager_client, read_model):
    for query in ({}, {"review": "flagged"}):
        html = manager_client.get(reverse(QUEUE), query).content.decode()

        assert '<option value="20" selected>20</option>' in html, query
