"""Bulk actions work without JavaScript, and the bar comes after the rows in tab order."""

from __future__ import annotations

import pytest

from tests.browser.support import new_context, settled, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def no_js_page(browser, dashboard):
    viewport = {"width": 1440, "height": 900}
    context = new_context(browser, java_script_enabled=False, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_checked_rows_reach_the_confirm_page_without_javascript(no_js_page, dashboard):
    page = no_js_page
    sign_in(page, dashboard, "manager")
    page.goto(dashboard + "/delegations/")
    boxes = page.locator("#delegations-table tbody input[name=delegation]")
    chosen = [boxes.nth(i).get_attribute("value") for i in range(2)]
    for i in range(2):
        boxes.nth(i).check()
    page.click("text=Revoke selected…")
    page.wait_for_load_state()
    assert "/delegations/bulk-revoke/confirm/" in page.url
    body = page.content()
    for adl_id in chosen:
        assert adl_id in body


def test_the_bulk_bar_follows_the_row_checkboxes_in_tab_order(journey):
    page = journey.page
    sign_in(page, journey.base_url, "manager")
    page.goto(journey.base_url + "/invitations/?status=PENDING")
    settled(page)
    order = page.evaluate(
        """() => [...document.querySelectorAll('#invitations-table input[data-selectable],'
              + ' #invitations-table [data-needs-selection]')]
              .map((el) => el.hasAttribute('data-needs-selection') ? 'bar' : 'row')"""
    )
    assert order[-1] == "bar", order
