"""Every page, for every role, fits 1280, 1440 and 1920 wide and a 390×844 phone; on the phone
every table row's status and everything it offers (its links, buttons and box) are in sight:
inside the window, not cut off by their cell, not covered. The check itself is checked: it must
see the review queue's marks lost from sight in each of the ways LOST_MARKS breaks them.

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


# Ways a phone layout can lose the review queue's marks (its Reviewed and Flag… links) from sight.
LOST_MARKS = {
    "pushed out of the window": "#review-table .mark-actions { margin-left: 30rem; }",
    "cut off by their cell": (
        "#review-table td.review-mark { overflow: hidden; max-width: 6rem; white-space: nowrap; }"
    ),
    "covered": (
        "#review-table td.review-mark { position: relative; }"
        " #review-table td.review-mark::after"
        " { content: ''; position: absolute; inset: 0; background: var(--surface); }"
    ),
}


def test_the_phone_check_sees_the_review_queue_s_marks_out_of_sight(browser, dashboard):
    build_read_model(SyncRun.Resource.AGENT_DELEGATIONS)
    # The strict CSP refuses a style added by a test: this context only measures the check.
    context = new_context(browser, viewport=dict(zip(("width", "height"), PHONE)), bypass_csp=True)
    page = context.new_page()
    sign_in(page, dashboard, "manager")
    page.goto(dashboard + "/delegations/review/")
    settled(page)
    assert row_problems(page.evaluate(ROW_FIT)) == [], "the queue fits as it is"
    for how, css in LOST_MARKS.items():
        style = page.add_style_tag(content=css)
        fit = page.evaluate(ROW_FIT)
        style.evaluate("element => element.remove()")
        assert fit["rows"] > 0
        assert fit["failing"] == fit["rows"], (how, fit)
        first = fit["outside"][0]
        assert "Reviewed" in first, (how, first)
        assert "Flag…" in first, (how, first)
    context.close()
