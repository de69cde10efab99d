"""A manager reviews one delegation, revokes another with a reason, cancels three pending
invitations at once, and finds all of it in the delegation's history and in the audit log."""

from __future__ import annotations

import pytest

from read_model.models import SyncRun
from tests.browser.support import build_read_model, settled
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.browser


def look_at(journey, path: str) -> None:
    """A page another journey checks for accessibility: here it is only read and pictured."""
    journey.page.goto(journey.base_url + path)
    settled(journey.page)
    journey.snap(path)


def test_manager_reviews_revokes_and_cancels(journey):
    page = journey.page
    # Signed in by hand: the overview it lands on is checked by its own journey.
    page.goto(journey.base_url + "/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    settled(page)

    build_read_model(SyncRun.Resource.AGENT_DELEGATIONS)
    journey.goto("/delegations/review/?permission=payments.create")
    reviewed = page.locator("#review-table tbody tr").first
    reviewed_id = reviewed.locator(".id").first.inner_text()
    reviewed.get_by_role("link", name="Reviewed").click()
    # Marked, it leaves the unreviewed queue and shows among the reviewed.
    page.wait_for_selector(f"#review-mark-{reviewed_id}", state="detached")
    journey.goto("/delegations/review/?permission=payments.create&review=reviewed")
    assert page.locator(f"#review-mark-{reviewed_id} .badge-reviewed").count() == 1
    journey.settle("review marked")

    journey.goto("/delegations/")
    row = page.locator("#delegations-table tbody tr", has=page.locator("a", has_text="Revoke"))
    target = row.nth(1)
    revoked_id = target.locator("a", has_text="Revoke").get_attribute("href").split("/")[2]
    assert revoked_id != reviewed_id
    target.locator("a", has_text="Revoke").click()
    page.wait_for_selector("#action-dialog[open]")
    journey.settle("revoke confirmation")
    page.fill("#action-dialog textarea[name=reason]", "Customer closed the account")
    page.click("#action-dialog button.danger")
    page.wait_for_selector(f"#revoke-cell-{revoked_id} .badge-revoked")
    assert page.locator(f"#delegation-status-{revoked_id}").inner_text() == "Revoked"
    journey.settle("row revoked")

    journey.goto("/invitations/?status=PENDING")
    boxes = page.locator("#invitations-table input[data-selectable]")
    for index in range(3):
        boxes.nth(index).check()
    assert page.locator("[data-selection-count]").inner_text() == "3 selected"
    page.click("text=Cancel selected…")
    journey.settle("bulk cancel confirmation")
    page.fill("textarea[name=reason]", "Campaign withdrawn")
    page.click("button.danger")
    journey.settle("bulk cancel result")
    assert "Natural cancelled 3 of 3 selected" in page.content()

    look_at(journey, f"/delegations/{revoked_id}/")
    history = page.locator(".history").inner_text()
    assert "Customer closed the account" in history
    look_at(journey, f"/delegations/{reviewed_id}/")
    assert "Review Reviewed\nby manager" in page.locator(".history").inner_text()

    look_at(journey, "/audit/")
    audit = page.locator("main").inner_text()
    assert "Revoke agent access" in audit
    assert "Cancel invitations" in audit
