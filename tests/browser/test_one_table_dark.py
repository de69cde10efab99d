"""Every list in both colour schemes: the page follows the system's dark mode and keeps the
light theme's contrast (axe-core), and search updates the table as you type, without Enter."""

from __future__ import annotations

import pytest

from tests.browser.support import Journey, new_context, settled
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.browser

LISTS = [
    "/customers/",
    "/invitations/",
    "/invitations/delegation/",
    "/delegations/",
    "/delegations/review/",
    "/audit/",
    "/natural-requests/",
    "/security/",
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_list_passes_axe_in_both_schemes(browser, dashboard, request, make_user, scheme):
    make_user("admin", "ada")
    context = new_context(browser, viewport={"width": 1440, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(15_000)
    trip = Journey(page, dashboard, f"{request.node.name}")
    trip.login("ada", PASSWORD)
    text = page.evaluate("() => getComputedStyle(document.body).color")
    # Light text on a dark page in the dark scheme, dark text otherwise.
    assert (text == "rgb(230, 233, 238)") == (scheme == "dark"), text
    for url in LISTS:
        trip.goto(url)  # screenshots and runs axe-core
    context.close()


def test_search_updates_the_audit_log_as_you_type(journey, make_user):
    make_user("admin", "ada")
    journey.login("ada", PASSWORD)
    journey.goto("/security/")
    page = journey.page
    before = page.locator("#security-table tbody tr").count()
    assert before > 0
    page.locator("#security-table-search").press_sequentially("no-such-user-anywhere", delay=20)
    page.wait_for_function("() => location.search.includes('no-such-user')")
    settled(page)
    assert page.locator("#security-table tbody tr").count() == 0
    assert "Nothing matches" in page.locator("#security-table").inner_text()
