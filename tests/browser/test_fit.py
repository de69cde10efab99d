"""Every page, for every role, fits 1280, 1440 and 1920 wide and a 390×844 phone; on the phone
every table row's status and main action are inside the window.

One signed-in tab per role visits each page once and is resized through the widths; each page
is pictured at 1440 and 390 in tests/artifacts/ (fit-<role>-<page>-<width>.png).
"""

from __future__ import annotations

import pytest

from read_model.models import SyncRun
from tests.browser.fit import (
    DESKTOP_WIDTHS,
    MEASURE,
    PHONE,
    ROW_FIT,
    SCREENSHOT_WIDTHS,
    problems,
    row_problems,
    screenshot,
)
from tests.browser.support import build_read_model, new_context, settled, sign_in

pytestmark = pytest.mark.browser

EVERYONE = {"admin", "manager", "support"}
MANAGERS = {"admin", "manager"}
ADMINS = {"admin"}
UNKNOWN_CUSTOMER = "pty_" + "0" * 32

# (name, path, roles); {customer}, {delegation}, {invitation} are filled from the live pages.
PAGES = [
    ("overview", "/", EVERYONE),
    ("customers", "/customers/", EVERYONE),
    ("customer-search", "/customers/?q=son", EVERYONE),
    ("customer", "/customers/{customer}/", EVERYONE),
    ("invitations", "/invitations/", EVERYONE),
    ("invitations-read-model", "/invitations/?counts=on&sort=-expires_at&q=example", EVERYONE),
    ("delegation-invitations", "/invitations/delegation/", EVERYONE),
    (
        "delegation-invitations-read-model",
        "/invitations/delegation/?counts=on&sort=email",
        EVERYONE,
    ),
    ("delegations", "/delegations/", EVERYONE),
    ("delegations-read-model", "/delegations/?counts=on&sort=customer_name&q=son", EVERYONE),
    ("delegation", "/delegations/{delegation}/", EVERYONE),
    ("lookup", "/lookup/?id=hello", EVERYONE),
    ("unknown-customer", f"/lookup/?id={UNKNOWN_CUSTOMER}", EVERYONE),
    ("not-found", "/no/such/page/", EVERYONE),
    ("review", "/delegations/review/", MANAGERS),
    ("revoke-confirm", "/delegations/{delegation}/revoke/confirm/", MANAGERS),
    (
        "bulk-revoke-confirm",
        "/delegations/bulk-revoke/confirm/?delegation={delegation}&delegation={delegation2}",
        MANAGERS,
    ),
    ("cancel-confirm", "/invitations/{invitation}/cancel/confirm/", MANAGERS),
    (
        "bulk-cancel-confirm",
        "/invitations/cancel/confirm/?invitation={invitation}:PENDING",
        MANAGERS,
    ),
    ("audit", "/audit/", MANAGERS),
    ("saved-views", "/views/", EVERYONE),
    ("invite", "/invitations/new/", ADMINS),
    ("delegation-invite", "/delegation-invitations/new/", ADMINS),
    ("security-log", "/security/", ADMINS),
]


def sample_ids(page, base_url: str) -> dict[str, str]:
    """Ids of real rows, read off the pages the way a person would copy them."""
    page.goto(base_url + "/delegations/")
    delegations = page.locator("#delegations-table tbody tr input[name=delegation]")
    ids = [delegations.nth(i).get_attribute("value") for i in range(2)]
    customer = page.locator("#delegations-table tbody a[href^='/customers/pty_']").first
    customer_id = customer.get_attribute("href").split("/")[2]
    page.goto(base_url + "/invitations/?status=PENDING")
    invitation = page.locator("#invitations-table tbody input[name=invitation]").first
    invitation_id = invitation.get_attribute("value").split(":")[0]
    return {
        "delegation": ids[0],
        "delegation2": ids[1],
        "customer": customer_id,
        "invitation": invitation_id,
    }


@pytest.fixture
def ids(browser, dashboard):
    # The customer search, the invitation tables and the review queue read these.
    build_read_model(
        SyncRun.Resource.CUSTOMERS,
        SyncRun.Resource.AGENT_INVITATIONS,
        SyncRun.Resource.DELEGATION_INVITATIONS,
        SyncRun.Resource.AGENT_DELEGATIONS,
    )
    context = new_context(browser)
    page = context.new_page()
    sign_in(page, dashboard, "manager")
    found = sample_ids(page, dashboard)
    context.close()
    return found


@pytest.mark.parametrize("role", ["admin", "manager", "support"])
def test_every_page_fits_every_screen(journey, ids, role):
    page = journey.page
    failures = []
    rows_checked = []

    def measure_every_width(name: str) -> None:
        for width, height in [(w, 900) for w in DESKTOP_WIDTHS] + [PHONE]:
            page.set_viewport_size({"width": width, "height": height})
            measure = page.evaluate(MEASURE)
            failures.extend(f"{name} at {width}: {issue}" for issue in problems(measure, width))
            if width == PHONE[0]:
                fit = page.evaluate(ROW_FIT)
                rows_checked.append(fit["rows"])
                issues = row_problems(fit)
                failures.extend(f"{name} at {width}: {issue}" for issue in issues)
            if width in SCREENSHOT_WIDTHS:
                screenshot(page, f"fit-{role}-{name}-{width}")

    page.goto(journey.base_url + "/login/")
    measure_every_width("login")
    sign_in(page, journey.base_url, role)
    for name, path, roles in PAGES:
        if role not in roles:
            continue
        page.set_viewport_size({"width": DESKTOP_WIDTHS[0], "height": 900})
        page.goto(journey.base_url + path.format(**ids))
        settled(page)
        measure_every_width(name)
    assert sum(rows_checked) > 0, "no table rows were measured on the phone"
    assert not failures, "\n".join(failures)
