"""Review at the speed of triage: a manager clears the queue from the keyboard, one key a row,
and marks twenty rows at once with Shift+x, then takes one mark back; the audit log then lists
every mark and the undo, one entry each."""

from __future__ import annotations

import pytest

from operations.review_marks import ReviewMark
from read_model.models import SyncRun
from tests.browser.fit import PHONE, ROW_FIT, row_problems
from tests.browser.support import LEFT_IS, build_read_model, left_to_review, settled, sign_in

pytestmark = pytest.mark.browser

# The audit log's rows as a reader sees them: the action and the delegation each names.
AUDIT_ROWS = """() => [...document.querySelectorAll('#audit-table tbody tr[data-row]')].map(
  (row) => ({
  action: row.cells[2].innerText.trim(),
  delegation: row.querySelector('a.id[href^="/delegations/adl_"]')?.textContent.trim() ?? null,
}))"""
AUDIT_CAPTION_IS = (
    "words => document.querySelector('#audit-table caption')?.innerText.endsWith(words)"
)

# The row that has the keys' focus, as the page shows it.
FOCUSED_ROW = (
    "() => document.activeElement?.matches('#review-table tr.row-focus[data-row]')"
    " ? document.activeElement.dataset.row : null"
)


class Keys:
    """Presses keys and counts them."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1


def open_queue(journey) -> None:
    build_read_model(SyncRun.Resource.AGENT_DELEGATIONS)
    sign_in(journey.page, journey.base_url, "manager")
    journey.goto("/delegations/review/")
    settled(journey.page)


def audit_log(journey) -> list[dict]:
    journey.goto("/audit/?limit=100")
    return journey.page.evaluate(AUDIT_ROWS)


def test_a_manager_clears_fifty_rows_without_the_mouse(journey):
    open_queue(journey)
    page = journey.page
    keys = Keys(page)
    start = left_to_review(page)
    assert start > 50, "the seed holds more than fifty delegations to review"
    keys.press("j")
    for done in range(1, 51):
        row = page.evaluate(FOCUSED_ROW)
        assert row, "a row has the keys' focus"
        keys.press("r")
        page.wait_for_function(LEFT_IS, arg=start - done)
        # The next row takes the marked one's place, focused: nothing moved under the hand.
        page.wait_for_function(f"() => ({FOCUSED_ROW})() && ({FOCUSED_ROW})() !== {row!r}")
        assert left_to_review(page) == start - done
        assert ReviewMark.objects.filter(delegation_id=row, verdict="reviewed").count() == 1
        assert page.locator(f"#review-table tr[data-row='{row}']").count() == 0
    assert ReviewMark.objects.count() == 50, "every mark is recorded"
    assert keys.count / 50 <= 1.5, f"{keys.count} keys for 50 rows"
    assert page.locator("[data-review-count=reviewed]").inner_text() == "50"
    journey.settle("fifty cleared by keyboard")

    marked = ReviewMark.objects.values_list("delegation_id", flat=True)
    logged = audit_log(journey)
    assert page.locator("#audit-table caption").inner_text().endswith("50 entries")
    assert [row["action"] for row in logged] == ["Mark reviewed"] * 50, "one entry per mark"
    assert sorted(row["delegation"] for row in logged) == sorted(marked)


def test_twenty_rows_ticked_with_shift_x_marked_at_once_then_one_undone(journey):
    open_queue(journey)
    page = journey.page
    start = left_to_review(page)
    page.keyboard.press("j")
    page.keyboard.press("x")
    for _ in range(19):
        page.keyboard.press("j")
    page.keyboard.press("Shift+X")
    assert page.locator("#review-table input[data-selectable]:checked").count() == 20
    bar = page.locator("[data-selection-bar]")
    assert bar.locator("[data-selection-count]").inner_text() == "20 selected"
    # Ticked at the top, the bar is still in the window.
    box = bar.bounding_box()
    assert box["y"] + box["height"] <= page.viewport_size["height"]
    journey.settle("twenty ticked")
    bar.get_by_role("button", name="Mark reviewed").click()
    page.wait_for_function(LEFT_IS, arg=start - 20)
    assert "20 marked reviewed" in page.locator("#review-toast").inner_text()
    assert ReviewMark.objects.filter(verdict="reviewed").count() == 20
    journey.settle("twenty marked")

    # One more with the key, then its Undo: that row is back, the twenty stay marked.
    page.keyboard.press("j")
    page.keyboard.press("r")
    page.wait_for_function(LEFT_IS, arg=start - 21)
    page.locator("#review-toast").get_by_role("button", name="Undo").click()
    page.wait_for_function(LEFT_IS, arg=start - 20)
    assert "1 mark undone" in page.locator("#review-toast").inner_text()
    assert ReviewMark.objects.filter(verdict="undone").count() == 1
    assert ReviewMark.objects.count() == 22, "the marks and the undo are all recorded"
    journey.settle("one undone")

    # The audit log: each of the 21 marks is an entry, and the undo is one more, newest first.
    marks = ReviewMark.objects.exclude(verdict="undone").values_list("delegation_id", flat=True)
    undone = ReviewMark.objects.get(verdict="undone").delegation_id
    logged = audit_log(journey)
    assert page.locator("#audit-table caption").inner_text().endswith("22 entries")
    assert logged[0] == {"action": "Undo mark", "delegation": undone}
    reviewed = [row["delegation"] for row in logged if row["action"] == "Mark reviewed"]
    assert sorted(reviewed) == sorted(marks), "every mark, one entry each"
    assert len(logged) == 22
    # On a phone each entry is a card whose state is in sight.
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    journey.settle("the audit log on a phone")
    fit = page.evaluate(ROW_FIT)
    assert fit["rows"] == 22
    assert not row_problems(fit)
    page.set_viewport_size({"width": 1360, "height": 900})

    # Only the undo, by its action; Enter on its row opens the delegation it took back.
    page.select_option("#id_action", "mark_undone")
    page.wait_for_function(AUDIT_CAPTION_IS, arg="1 entry, filtered")
    journey.settle("the audit log's undo")
    assert page.evaluate(AUDIT_ROWS) == [{"action": "Undo mark", "delegation": undone}]
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/delegations/{undone}/")
