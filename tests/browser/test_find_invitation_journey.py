"""Support finds an invitation by part of its email, in a real Chromium: the search reads the
local read model, highlights the match and says how fresh it is; a header sorts it."""

from __future__ import annotations

import pytest

from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.browser


def test_support_finds_an_invitation_by_part_of_its_email(journey, sandbox):
    page = journey.page
    journey.login("support", PASSWORD)
    invitation = next(
        row
        for row in sandbox.get("/agents/invitations", limit=100)["data"]
        if (row["attributes"].get("email") or "").count("@") == 1
        and "<" not in row["attributes"]["email"]
    )
    email = invitation["attributes"]["email"]
    part = email.split("@")[0][1:-1]
    from read_model.sync import sync

    sync("agent_invitations")

    journey.goto("/invitations/")
    assert page.locator("text=From the local copy").count() == 0, "the live list is the default"
    page.fill("input[name=q]", part)
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**q=**")
    row = page.locator(f"#invitations-table tbody tr:has(span.id:text-is('{invitation['id']}'))")
    row.wait_for()
    journey.settle("search results")

    assert row.locator("mark").first.inner_text().lower() == part.lower()
    assert "as of less than a minute ago" in page.locator("#invitations-table").inner_text()

    page.click("#invitations-table th a.sort:text('Expires')")
    page.wait_for_url("**sort=expires_at**")
    journey.settle("sorted by expiry")
    assert page.locator("th[aria-sort=ascending]").inner_text().lower().startswith("expires")
    assert "q=" in page.url, "the search is kept while sorting"
    assert page.locator(f"#invitations-table span.id:text-is('{invitation['id']}')").count() == 1
