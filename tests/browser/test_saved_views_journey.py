"""An admin hides columns, sorts, filters and saves the view; from another browser (fresh
cookies) the same admin finds it above the table and gets the same table back. And the same
without JavaScript."""

from __future__ import annotations

import pytest

from read_model.models import SyncRun
from tests.browser.fit import screenshot
from tests.browser.support import Journey, build_read_model, settled, sign_in
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.browser

TABLE = "#invitations-table"


def header_visible(page, label: str) -> bool:
    return page.locator(f"{TABLE} thead th", has_text=label).first.is_visible()


def set_columns(page, hidden: set[str], shown: set[str]) -> None:
    page.click(".view-bar summary:has-text('Columns')")
    form = page.locator("#agent_invitations-columns")
    for label in hidden:
        form.get_by_label(label, exact=True).uncheck()
    for label in shown:
        form.get_by_label(label, exact=True).check()
    form.get_by_role("button", name="Apply").click()
    settled(page)


def assert_the_saved_table(page) -> None:
    assert "status=PENDING" in page.url
    assert "sort=expires_at" in page.url
    assert page.locator("input[name=status][value=PENDING]").is_checked()
    sorted_header = page.locator(f"{TABLE} th[aria-sort=ascending]")
    assert sorted_header.inner_text().lower().startswith("expires")
    assert not header_visible(page, "Agent")
    assert not header_visible(page, "Created")
    assert header_visible(page, "Recipient")
    assert header_visible(page, "Expires")
    statuses = page.locator(f"{TABLE} tbody tr td:nth-child(4)").all_inner_texts()
    assert statuses
    assert {text.split()[0] for text in statuses} == {"Pending"}
    # The cells of a hidden column are hidden with their header: the 3rd cell is the agent.
    assert not page.locator(f"{TABLE} tbody tr td:nth-child(3)").first.is_visible()


def test_a_saved_view_follows_the_admin_to_another_browser(journey, browser, dashboard):
    from playwright.sync_api import expect

    build_read_model(SyncRun.Resource.AGENT_INVITATIONS)
    page = journey.page
    journey.login("admin", PASSWORD)
    journey.goto("/invitations/")
    assert header_visible(page, "Agent")

    set_columns(page, hidden={"Agent", "Created"}, shown=set())
    journey.settle("two columns hidden")
    assert not header_visible(page, "Agent")
    assert not header_visible(page, "Created")

    page.click(f"{TABLE} th a.sort:text('Expires')")
    page.wait_for_url("**sort=expires_at**")
    journey.settle("sorted by expiry")

    # The status chip filters through htmx: the rows are swapped in, the page is not reloaded.
    page.locator("label.chip:has(input[value=PENDING])").click()
    page.wait_for_url("**status=PENDING**")
    journey.settle("pending only")

    page.click(".view-bar summary:has-text('Save view')")
    page.fill("#agent_invitations-view-name", "Pending by expiry")
    journey.snap("save view menu open")
    page.click("#agent_invitations-save button[type=submit]")
    settled(page)
    journey.settle("view saved")
    assert "Saved the view “Pending by expiry”." in page.locator("#messages").inner_text()
    assert_the_saved_table(page)
    journey.goto("/views/?table=agent_invitations")
    row = page.locator("#saved-views-table tbody tr", has_text="Pending by expiry")
    assert row.get_by_role("button", name="Open the view Pending by expiry").is_visible()
    # The views page searches as every table does: as you type, the rows swapped in place.
    page.fill("#saved-views-table-search", "nosuchview")
    page.wait_for_url("**q=nosuchview**")
    expect(page.locator("#saved-views-table .empty")).to_contain_text("Nothing matches")
    page.fill("#saved-views-table-search", "expiry")
    page.wait_for_url("**q=expiry**")
    expect(row).to_be_visible()
    journey.settle("saved views searched")

    # Another browser: no cookie, no local storage in common with the first.
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        other = context.new_page()
        other.set_default_timeout(15_000)
        trip = Journey(other, dashboard, "saved-view-other-browser")
        trip.login("admin", PASSWORD)
        trip.goto("/invitations/")
        # The columns followed the user; now show every column, then let the view hide them.
        assert not header_visible(other, "Agent")
        set_columns(other, hidden=set(), shown={"Agent", "Created"})
        assert header_visible(other, "Agent")
        assert "status=PENDING" not in other.url

        other.click(".view-bar summary:has-text('View:')")
        trip.snap("saved views menu open")
        other.get_by_role("button", name="Pending by expiry").click()
        settled(other)
        trip.settle("saved view opened")
        assert_the_saved_table(other)
        assert other.locator(".view-bar .menu-current").inner_text() == "Pending by expiry"
        # Another filter, through htmx: the table is no longer that view, and says so.
        other.locator("label.chip:has(input[value=EXPIRED])").click()
        other.wait_for_url("**status=EXPIRED**")
        expect(other.locator(".view-bar .menu-current")).to_have_text("unsaved")
        csp = [e for e in trip.console_errors if "Content Security Policy" in e]
        assert not csp, csp
    finally:
        context.close()


@pytest.fixture
def no_js_page(browser, dashboard):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_columns_and_a_view_without_javascript_on_a_phone(no_js_page, dashboard):
    build_read_model(SyncRun.Resource.DELEGATION_INVITATIONS)
    page = no_js_page
    sign_in(page, dashboard, "support")
    page.goto(dashboard + "/invitations/delegation/?sort=email&limit=50&cursor=abc")
    region = "#delegation-invitations-table"

    page.click(".view-bar summary:has-text('Columns')")
    screenshot(page, "saved-views-phone-columns-menu-390")
    page.locator("#delegation_invitations-columns").get_by_label("Status", exact=True).uncheck()
    page.click("#delegation_invitations-columns button:text('Apply')")
    page.wait_for_load_state()
    assert "sort=email" in page.url
    assert "cursor" not in page.url
    assert not page.locator(f"{region} thead th", has_text="Status").is_visible()

    # A blank name comes back with the reason at the field (the browser's own check aside).
    page.click(".view-bar summary:has-text('Save view')")
    page.fill("#delegation_invitations-view-name", " ")
    screenshot(page, "saved-views-phone-save-menu-390")
    page.check("#delegation_invitations-save input[name=shared]")
    page.click("#delegation_invitations-save button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#name-error").inner_text() == "Give the view a name."
    screenshot(page, "saved-views-phone-blank-name-390")
    assert page.locator("input[name=shared]").is_checked()
    page.fill("input[name=name]", "By email")
    page.click("button:text('Save view')")
    page.wait_for_load_state()
    assert "sort=email" in page.url
    assert "limit=50" in page.url
    page.click(".view-bar summary:has-text('View:')")
    assert page.get_by_role("button", name="By email").is_visible()
    screenshot(page, "saved-views-phone-views-menu-390")
    assert page.locator(".view-bar .menu-current").inner_text() == "By email"
