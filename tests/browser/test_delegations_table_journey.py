"""Support sorts the agent delegations by a header and finds one by part of its customer's
name, in a real Chromium: both read the local read model, say how fresh it is, count what
matches, and lead back to the live list."""

from __future__ import annotations

import re

import pytest

from read_model.models import SyncRun
from tests.browser.support import build_read_model
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.browser


def plain_customer() -> tuple[str, str]:
    """An active delegation whose customer name is plain letters, and a part of that name."""
    from read_model.models import IndexedAgentDelegation

    for adl_id, name in (
        IndexedAgentDelegation.objects.filter(revoked=False)
        .order_by("created_at")
        .values_list("agent_delegation_id", "customer_name")
    ):
        if re.fullmatch(r"[A-Za-z]{3,} [A-Za-z]{3,}", name or ""):
            return adl_id, name[1:-1]
    pytest.fail("the seed has no customer with a plain name")


def test_support_sorts_and_searches_the_delegations(journey, sandbox):
    build_read_model(SyncRun.Resource.AGENT_DELEGATIONS)
    adl_id, part = plain_customer()
    page = journey.page
    table = page.locator("#delegations-table")
    journey.login("support", PASSWORD)

    journey.goto("/delegations/")
    assert page.locator("text=From the local copy").count() == 0, "the live list is the default"

    page.click("#delegations-table th a.sort:text('Customer')")
    page.wait_for_url("**sort=customer_name**")
    page.locator("th[aria-sort=ascending]").wait_for()
    journey.settle("sorted by customer")
    assert page.locator("th[aria-sort=ascending]").inner_text().lower().startswith("customer")
    assert "as of less than a minute ago" in table.inner_text()
    shown = [
        name.lower()
        for name in table.locator("tbody tr td:nth-child(2)").all_inner_texts()
        if name.strip()
    ]
    assert shown
    assert shown == sorted(shown)

    page.fill("input[name=q]", part)
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**q=**")
    row = table.locator(f"tbody tr:has(span.id:text-is('{adl_id}'))")
    row.wait_for()
    page.check("input[name=counts]")
    page.wait_for_url("**counts=on**")
    page.locator("#facet-status-active:not(:empty)").wait_for()
    journey.settle("searched with counts")

    assert "sort=customer_name" in page.url, "the sort is kept while searching"
    assert row.locator("mark").first.inner_text().lower() == part.lower()
    caption = table.locator("caption").inner_text()
    assert re.search(rf"\d[\d,]* active matching “{re.escape(part)}”", caption), caption
    assert int(page.locator("#facet-status-active").inner_text().replace(",", "")) >= 1

    table.get_by_role("link", name="Back to the live list").click()
    page.wait_for_url("**/delegations/")
    journey.settle("back to the live list")
    assert page.locator("text=From the local copy").count() == 0
