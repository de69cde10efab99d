"""Review at the speed of triage, for everyone: axe-core finds nothing at all (of any impact) on
the keys dialog, the review queue's flag dialog opened from the keyboard, or the tables as cards
on a 390×844 phone."""

from __future__ import annotations

import pytest

from read_model.models import SyncRun
from tests.browser.fit import PHONE
from tests.browser.support import axe_violations, build_read_model, settled, sign_in

pytestmark = pytest.mark.browser

# The lists a manager triages from, drawn as cards on a phone.
PHONE_LISTS = [
    "/customers/",
    "/invitations/",
    "/invitations/delegation/",
    "/delegations/",
    "/delegations/review/",
    "/audit/",
]


def open_as_manager(journey, path: str) -> None:
    build_read_model(SyncRun.Resource.AGENT_DELEGATIONS)
    sign_in(journey.page, journey.base_url, "manager")
    journey.page.goto(journey.base_url + path)
    settled(journey.page)


def test_the_keys_dialog_passes_axe(journey):
    open_as_manager(journey, "/delegations/review/")
    page = journey.page
    page.keyboard.press("?")
    page.wait_for_selector("#keys-dialog[open]")
    assert page.locator("#keys-dialog").get_by_text("Flag the row").is_visible()
    journey.snap("keys dialog")
    assert not axe_violations(page), axe_violations(page)
    page.keyboard.press("Escape")
    page.wait_for_selector("#keys-dialog:not([open])", state="attached")


def test_the_flag_dialog_opened_with_f_passes_axe(journey):
    open_as_manager(journey, "/delegations/review/")
    page = journey.page
    page.keyboard.press("j")
    page.wait_for_function("() => document.activeElement?.matches('tr.row-focus[data-row]')")
    page.keyboard.press("f")
    page.wait_for_selector(
        "#action-dialog[open] #action-dialog-body textarea, "
        "#action-dialog[open] #action-dialog-body form"
    )
    settled(page)
    journey.snap("flag dialog")
    assert not axe_violations(page), axe_violations(page)


def test_the_tables_as_cards_on_a_phone_pass_axe(journey):
    build_read_model(
        SyncRun.Resource.CUSTOMERS,
        SyncRun.Resource.AGENT_INVITATIONS,
        SyncRun.Resource.DELEGATION_INVITATIONS,
    )
    open_as_manager(journey, "/delegations/")
    page = journey.page
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    found = []
    for path in PHONE_LISTS:
        page.goto(journey.base_url + path)
        settled(page)
        # Card layout: each row is a card of its own (a list may have no rows yet).
        display = page.evaluate(
            "() => { const row = document.querySelector('table.data tbody tr[data-row]');"
            " return row ? getComputedStyle(row).display : 'flex'; }"
        )
        assert display == "flex", f"{path} is not drawn as cards ({display})"
        journey.snap(f"cards {path}")
        found.extend(f"{path}: {issue}" for issue in axe_violations(page))
    assert not found, "\n".join(found)
