"""Every dialog fits a phone, and a bad value is answered inside it, next to the field."""

from __future__ import annotations

import pytest

from read_model.models import SyncRun
from tests.browser.fit import PHONE, screenshot
from tests.browser.support import build_read_model, settled, sign_in

pytestmark = pytest.mark.browser

BLANK_REASON = "   \n  "


def dialog_box(page) -> dict:
    return page.evaluate(
        """() => {
          const box = document.querySelector('#action-dialog').getBoundingClientRect();
          const close = document.querySelector('#action-dialog .dialog-close button')
            .getBoundingClientRect();
          return {left: box.left, right: box.right, top: box.top, bottom: box.bottom,
                  closeRight: close.right, closeTop: close.top,
                  width: window.innerWidth, height: window.innerHeight};
        }"""
    )


def assert_inside_window(box: dict) -> None:
    assert box["left"] >= 0
    assert box["right"] <= box["width"]
    assert box["top"] >= 0
    assert box["bottom"] <= box["height"]
    assert box["closeRight"] <= box["width"]
    assert box["closeTop"] >= 0


def submit_blank_reason(page, opener, cell_id: str, name: str) -> None:
    """Open a row's dialog, send a whitespace-only reason, and expect the error inside it."""
    opener.click()
    dialog = page.locator("#action-dialog[open]")
    dialog.wait_for()
    assert_inside_window(dialog_box(page))
    url = page.url
    dialog.locator("textarea[name=reason]").fill(BLANK_REASON)
    dialog.locator("button.danger[type=submit]").click()
    error = dialog.locator(".field-error")
    error.wait_for()
    assert "required" in error.inner_text().lower()
    assert dialog.locator("textarea[name=reason][aria-invalid=true]").count() == 1
    assert page.locator("#action-dialog").evaluate("(d) => d.open")
    assert page.url == url
    assert page.locator(f"#{cell_id}").count() == 1, "the list behind the dialog is still there"
    screenshot(page, f"dialog-{name}-error-{page.viewport_size['width']}")


@pytest.mark.parametrize("viewport", [(1440, 900), PHONE], ids=["1440", "390"])
def test_revoke_and_cancel_dialogs_answer_a_blank_reason_inside_them(journey, viewport):
    page = journey.page
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    sign_in(page, journey.base_url, "manager")

    page.goto(journey.base_url + "/delegations/")
    settled(page)
    revoke = page.locator("#delegations-table a.button.danger", has_text="Revoke").first
    cell = revoke.locator("xpath=..").get_attribute("id")
    submit_blank_reason(page, revoke, cell, "revoke")

    page.goto(journey.base_url + "/invitations/?status=PENDING")
    settled(page)
    cancel = page.locator("#invitations-table a.button", has_text="Cancel…").first
    cell = cancel.locator("xpath=..").get_attribute("id")
    submit_blank_reason(page, cancel, cell, "cancel")


def test_a_flag_without_comment_is_answered_inside_the_mark_form(journey):
    build_read_model(SyncRun.Resource.AGENT_DELEGATIONS)  # the queue reads it
    page = journey.page
    sign_in(page, journey.base_url, "manager")
    page.goto(journey.base_url + "/delegations/review/")
    settled(page)
    rows_before = page.locator("#review-table tbody tr").count()
    row = page.locator("#review-table tbody tr").first
    row.get_by_role("link", name="Flag…").click()
    dialog = page.locator("#action-dialog")
    dialog.locator("textarea[name=comment]").wait_for()
    # Only spaces: the browser lets it through, the server answers inside the dialog.
    dialog.locator("textarea[name=comment]").fill("   ")
    dialog.get_by_role("button", name="Flag 1").click()
    error = dialog.locator(".field-error")
    error.wait_for()
    assert "say why you flag it" in error.inner_text().lower()
    assert dialog.locator("textarea[name=comment][aria-invalid=true]").count() == 1
    assert dialog.evaluate("(d) => d.open"), "the dialog stays open"
    assert page.locator("#review-table tbody tr").count() == rows_before, "the queue is still"
    screenshot(page, "dialog-flag-error-1440")
