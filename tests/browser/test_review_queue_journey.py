"""A manager narrows the review queue, works through it to zero across several pages, and
finds what was flagged; nothing of it reaches Natural."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from read_model.models import SyncRun
from tests.browser.support import LEFT_IS, build_read_model, left_to_review, settled, sign_in

pytestmark = pytest.mark.browser

# The caption reads "N left to review".

PAGE = 20


def narrow_queue() -> tuple[str, int, int]:
    """An agent and an expiry window whose active delegations fill two to three pages."""
    from read_model.models import IndexedAgentDelegation

    active = IndexedAgentDelegation.objects.filter(revoked=False)
    now = timezone.now()
    for agent_id in active.values_list("agent_id", flat=True).distinct().order_by("agent_id"):
        for days in (30, 60, 90, 180, 365):
            count = active.filter(
                agent_id=agent_id, expires_at__gte=now, expires_at__lt=now + timedelta(days=days)
            ).count()
            if 2 * PAGE < count <= 3 * PAGE:
                return agent_id, days, count
    pytest.fail("the seed has no agent with two to three pages of delegations expiring soon")


def mark_first_row(page, verdict: str = "reviewed", comment: str = "") -> None:
    before = left_to_review(page)
    row = page.locator("#review-table tbody tr").first
    if verdict == "flagged":
        row.get_by_role("link", name="Flag…").click()
        dialog = page.locator("#action-dialog")
        dialog.locator("textarea[name=comment]").fill(comment)
        dialog.get_by_role("button", name="Flag 1").click()
    else:
        row.get_by_role("link", name="Reviewed").click()
    page.wait_for_function(
        LEFT_IS,
        arg=before - 1,
    )


def test_manager_works_through_the_queue_to_zero(journey, sandbox):
    build_read_model(SyncRun.Resource.AGENT_DELEGATIONS)
    agent_id, days, count = narrow_queue()
    writes_before = [
        r for r in sandbox.control("GET", "requests")["requests"] if r["method"] != "GET"
    ]

    page = journey.page
    sign_in(page, journey.base_url, "manager")

    journey.goto("/delegations/review/")
    assert "Delegations as of" in page.locator("#review-freshness").inner_text()
    page.select_option("#id_agent", agent_id)
    settled(page)
    page.select_option("#id_limit", str(PAGE))
    settled(page)
    page.fill("#id_expiring_within_days", str(days))
    page.click("button:has-text('Apply')")
    page.wait_for_function(
        LEFT_IS,
        arg=count,
    )
    journey.settle("queue narrowed")
    assert f"agent={agent_id}" in page.url

    # Page two first: rows from page three move up as rows here leave.
    page.click("#review-table a[rel=next]")
    page.wait_for_selector("#review-table a[rel=prev]")
    journey.settle("second page")
    mark_first_row(page, "flagged", "Limit above what the contract allows")
    while page.locator("#review-table tbody tr").count():
        mark_first_row(page)
    assert "Nothing left on this page" in page.locator("#review-table").inner_text()
    journey.settle("second page emptied")

    page.click("#review-table .empty a:has-text('Previous page')")
    settled(page)
    assert page.locator("#review-table tbody tr").count() == PAGE
    while page.locator("#review-table tbody tr").count():
        mark_first_row(page)
    assert left_to_review(page) == 0
    assert "Nothing left to review with these filters" in page.locator("#review-table").inner_text()
    journey.settle("queue at zero")

    page.click("#review-table nav.tabs a:has-text('Flagged')")
    page.wait_for_selector("#review-table tbody tr")
    flagged = page.locator("#review-table tbody tr")
    assert flagged.count() == 1
    # The dense row keeps the comment on the badge, read on hover.
    badge = flagged.locator(".badge-flagged")
    assert "Limit above what the contract allows" in badge.get_attribute("title")
    assert page.locator("[data-review-count=reviewed]").inner_text() == str(count - 1)
    journey.settle("flagged")

    writes_after = [
        r for r in sandbox.control("GET", "requests")["requests"] if r["method"] != "GET"
    ]
    assert writes_after == writes_before, "review marks never reach Natural"
