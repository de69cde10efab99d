"""Signing in the way companies do: through the identity provider, and with a second factor."""

from __future__ import annotations

import pytest

from tests.accounts.support import totp_code
from tests.browser.support import settled
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.browser


def test_manager_signs_in_through_the_provider_and_revokes_an_agent(journey, sso):
    page = journey.page
    sso.add_user("maria", ["payments-managers"])

    journey.goto("/login/")
    page.click("text=Sign in with Company SSO")
    # The provider's own login page (not the dashboard's: no layout or CSP of ours to check).
    page.wait_for_selector("text=Company sign-in")
    page.fill("#username", "maria")
    page.fill("#password", "provider-password")
    page.click("button[type=submit]")
    journey.settle("overview after single sign-on")

    assert page.url == journey.base_url + "/"
    assert page.locator(".who-name").inner_text() == "maria"
    assert page.locator(".role-pill").inner_text() == "Manager"

    journey.goto("/delegations/")
    row = page.locator("#delegations-table tbody tr", has=page.locator("a", has_text="Revoke"))
    target = row.first
    revoked_id = target.locator("a", has_text="Revoke").get_attribute("href").split("/")[2]
    target.locator("a", has_text="Revoke").click()
    page.wait_for_selector("#action-dialog[open]")
    page.fill("#action-dialog textarea[name=reason]", "Access review by the identity team")
    page.click("#action-dialog button.danger")
    page.wait_for_selector(f"#revoke-cell-{revoked_id} .badge-revoked")
    journey.settle("revoked after single sign-on")


def test_admin_enrols_an_authenticator_app_and_signs_in_again_with_a_code(journey, settings):
    settings.MFA_REQUIRED_ROLES = ["admin", "manager"]
    page = journey.page

    journey.login("admin", PASSWORD)
    assert page.url.endswith("/accounts/2fa/totp/activate/")
    secret = page.locator(".totp-secret").inner_text().strip()
    page.fill("#id_code", totp_code(secret))
    page.click("text=Turn on")
    journey.settle("recovery codes")
    assert page.locator(".recovery-codes li").count() == 10
    page.click("text=I have saved them")
    journey.settle("overview after enrolment")
    assert page.url == journey.base_url + "/"

    page.click("text=Log out")
    settled(page)
    journey.login("admin", PASSWORD)
    assert "/accounts/2fa/authenticate/" in page.url
    page.fill("#id_code", totp_code(secret))
    page.click("button:has-text('Sign in')")
    journey.settle("overview after the code")
    assert page.url == journey.base_url + "/"
    assert page.locator(".role-pill").inner_text() == "Admin"

    journey.goto("/security/")
    log = page.locator("main").inner_text()
    assert "Second factor enrolled" in log
    assert "Signed in" in log
