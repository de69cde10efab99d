"""The journeys each role takes daily, in a real Chromium against a live dashboard and sandbox."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session

from tests.browser.support import settled
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(journey, username: str) -> None:
    journey.login(username, PASSWORD)
    assert journey.page.url == journey.base_url + "/"


def test_admin_invites_three_pasted_customers_once_despite_a_double_click(journey, sandbox):
    page = journey.page
    sign_in(journey, "admin")
    journey.goto("/invitations/new/")
    emails = ["ines.journey@example.com", "omar.journey@example.com", "li.journey@example.com"]
    page.select_option("select[name=agent]", index=1)
    page.fill("textarea[name=recipients]", "\n".join(emails))
    page.check("input[name=permissions][value='payments.read']")
    page.fill("input[name=per_transaction]", "250")
    page.click("button[value=preview]")
    journey.settle("invitation preview")
    assert "3" in page.locator("button[value=confirm]").inner_text()

    page.dblclick("button[value=confirm]")
    page.wait_for_url("**/operations/batches/**")
    settled(page)
    journey.settle("batch result")
    page.reload()
    settled(page)

    invited = sandbox.get("/agents/invitations", limit=100)["data"]
    for email in emails:
        assert [row["attributes"]["email"] for row in invited].count(email) == 1

    journey.goto(f"/invitations/?status=PENDING&email={emails[0]}")
    rows = page.locator("#invitations-table tbody tr")
    assert rows.count() == 1
    assert "Pending" in rows.first.inner_text() or "PENDING" in rows.first.inner_text()


def test_support_finds_a_customer_opens_their_delegation_and_goes_back(journey, sandbox):
    page = journey.page
    sign_in(journey, "support")
    customer = next(
        row
        for row in sandbox.get("/customers", limit=100)["data"]
        if row["relationships"]["agents"]["data"] and "<" not in row["attributes"]["name"]
    )
    email = customer["attributes"]["email"]
    from read_model.sync import sync_customers

    sync_customers()
    journey.goto("/customers/")
    page.fill("input[name=q]", email.split("@")[0])
    page.wait_for_url("**q=**")
    page.wait_for_selector(f"#customers-table a[href='/customers/{customer['id']}/']")
    journey.settle("search results")
    filtered_url = page.url
    assert "q=" in filtered_url

    page.click(f"#customers-table a[href='/customers/{customer['id']}/']")
    settled(page)
    journey.snap("customer")
    page.locator("a[href^='/delegations/adl_']").first.click()
    settled(page)
    journey.snap("delegation")
    assert "/delegations/adl_" in page.url

    page.go_back()
    page.go_back()
    settled(page)
    assert page.url == filtered_url
    assert page.locator(f"#customers-table a[href='/customers/{customer['id']}/']").count() >= 1
    journey.snap("back to the filtered list")


def test_an_expired_session_lands_on_the_login_page_not_inside_a_table(journey):
    page = journey.page
    sign_in(journey, "support")
    journey.goto("/invitations/")
    Session.objects.all().delete()
    page.locator("#invitations-table a[rel=next]").first.click()
    page.wait_for_url("**/login/?next=*")
    assert page.locator("#invitations-table").count() == 0
    assert page.locator("#id_username").is_visible()
    journey.snap("login after expiry")


def test_natural_down_shows_a_banner_then_recovers_on_retry(journey, sandbox):
    page = journey.page
    sign_in(journey, "support")
    journey.goto("/invitations/")
    sandbox.fault(kind="error", status=503, count=3, path="^/agents/invitations$")
    page.locator("#invitations-table a[rel=next]").first.click()
    banner = page.locator("#invitations-table .upstream-error")
    banner.wait_for()
    # Natural answered 503 three times; to the browser the dashboard is the bad gateway.
    assert "status 502" in banner.inner_text()
    journey.snap("natural down banner")

    banner.locator("text=Retry").click()
    page.wait_for_selector("#invitations-table .upstream-error", state="detached")
    assert page.locator("#invitations-table tbody tr").count() > 0
    journey.snap("recovered")


def test_hostile_names_stay_inert_on_the_pages_that_show_them(journey):
    sign_in(journey, "support")
    for path in ("/", "/customers/?q=script", "/customers/", "/delegations/?limit=100"):
        journey.goto(path)
    assert journey.page.locator("text=<script>alert(1)</script>").count() >= 1
    assert not journey.dialogs


def test_admin_double_clicks_send_goes_back_edits_and_is_told_the_form_was_sent(journey, sandbox):
    page = journey.page
    sign_in(journey, "admin")
    journey.goto("/invitations/new/")
    emails = ["ada.back@example.com", "bo.back@example.com", "cy.back@example.com"]
    page.select_option("select[name=agent]", index=1)
    page.fill("textarea[name=recipients]", "\n".join(emails))
    page.check("input[name=permissions][value='payments.read']")
    page.fill("input[name=per_transaction]", "40")
    page.click("button[value=preview]")
    journey.settle("preview before the double click")
    page.dblclick("button[value=confirm]")
    page.wait_for_url("**/operations/batches/**")
    settled(page)

    # Back: the preview of the batch just sent, from the browser's history. Going back to edit
    # it says plainly that this form was already sent, and keeps the list in a fresh form.
    page.go_back()
    settled(page)
    page.click("button[value=edit]")
    settled(page)
    journey.settle("form already sent")
    notice = page.locator("[role=alert]", has_text="This form was already sent")
    assert notice.count() == 1
    assert notice.locator("a[href*='/operations/batches/']").count() == 1

    # Edit one line and send again: the preview leaves out those the first send invited.
    edited = [emails[0], "dee.back@example.com", emails[2]]
    page.fill("textarea[name=recipients]", "\n".join(edited))
    page.click("button[value=preview]")
    journey.settle("preview of the edited form")
    warning = page.locator("[role=alert]", has_text="already have a pending invitation")
    assert emails[0] in warning.inner_text()
    page.dblclick("button[value=confirm]")
    page.wait_for_url("**/operations/batches/**")
    settled(page)

    invited = sandbox.get("/agents/invitations", limit=100)["data"]
    held = [row["attributes"]["email"] for row in invited]
    for email in [*emails, "dee.back@example.com"]:
        assert held.count(email) == 1, email
