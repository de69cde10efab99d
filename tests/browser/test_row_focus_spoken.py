"""What a screen reader says as the keys move: the row the keys reach is named by what names it,
its status and its place on the page, on every table; after a mark on the review queue the next
row has the focus, and one polite announcement says what the mark did and what is left."""

from __future__ import annotations

import pytest

from read_model.models import SyncRun
from tests.browser.support import (
    LEFT_IS,
    axe_violations,
    build_read_model,
    left_to_review,
    sign_in,
    spoken_focus,
)

pytestmark = pytest.mark.browser

# The page's polite live region (templates/base.html), as a screen reader is handed it.
LIVE_REGION_SAYS = "text => document.getElementById('live-region').textContent === text"
# Every element on the page that a screen reader announces when its text changes.
ANNOUNCERS = (
    "() => [...document.querySelectorAll('[aria-live]:not([aria-live=off]), [role=status],"
    " [role=alert], [role=log]')].map(element => element.textContent)"
)


def visible_cells(page, index: int) -> tuple[str, str]:
    """The agent and the customer of the queue's row at `index`, as the page shows them."""
    row = page.locator("#review-table tbody tr[data-row]").nth(index)
    names = row.locator("td.cell-name > a")
    return names.nth(0).inner_text().strip(), names.nth(1).inner_text().strip()


def open_queue(journey) -> None:
    build_read_model(SyncRun.Resource.AGENT_DELEGATIONS)
    sign_in(journey.page, journey.base_url, "manager")
    journey.goto("/delegations/review/")


def test_the_row_the_keys_reach_is_said_by_name_status_and_place(journey):
    open_queue(journey)
    page = journey.page
    shown = page.locator("#review-table tbody tr[data-row]").count()
    page.keyboard.press("j")
    page.keyboard.press("j")
    agent, customer = visible_cells(page, 1)
    assert spoken_focus(page) == (
        "row",
        f"Agent: {agent}, Customer: {customer}, Review: Not reviewed, row 2 of {shown}",
    )
    page.keyboard.press("k")
    assert spoken_focus(page)[1].endswith(f"row 1 of {shown}")
    journey.snap("row focus named")
    assert not axe_violations(page), axe_violations(page)


def test_after_a_mark_the_result_and_what_is_left_are_said_once(journey):
    open_queue(journey)
    page = journey.page
    start = left_to_review(page)
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("r")
    page.wait_for_function(LEFT_IS, arg=start - 1)
    said = f"1 marked reviewed. {start - 1:,} left to review."
    page.wait_for_function(LIVE_REGION_SAYS, arg=said)
    # The row that took the marked one's place has the focus, named as the keys name it.
    page.wait_for_function("() => document.activeElement?.matches('tr.row-focus[data-row]')")
    agent, customer = visible_cells(page, 1)
    role, name = spoken_focus(page)
    assert role == "row"
    assert name.startswith(f"Agent: {agent}, Customer: {customer}, Review: Not reviewed, row 2 ")
    announced = [text for text in page.evaluate(ANNOUNCERS) if "marked reviewed" in text]
    assert announced == [said], "the result is said once, with what is left"
    journey.snap("mark said")
    assert not axe_violations(page), axe_violations(page)


def test_every_table_names_the_row_the_keys_reach(journey):
    sign_in(journey.page, journey.base_url, "support")
    journey.goto("/delegations/")
    page = journey.page
    shown = page.locator("#delegations-table tbody tr[data-row]").count()
    first = page.locator("#delegations-table tbody tr[data-row]").first
    agent_name = first.locator("td.cell-name > a").first.inner_text().strip()
    page.keyboard.press("j")
    page.keyboard.press("ArrowDown")
    role, name = spoken_focus(page)
    assert role == "row"
    assert name.endswith(f"row 2 of {shown}")
    page.keyboard.press("ArrowUp")
    role, name = spoken_focus(page)
    assert name.startswith(f"Agent: {agent_name}, ")
    assert "Status: Active" in name
    assert name.endswith(f"row 1 of {shown}")
