"""What the browser journeys share: where screenshots go, the read model built in one go, waiting
until a page has settled, a journey that checks every page it visits, and signing in."""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.fixtures.users import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()


def build_read_model(*resources: str) -> None:
    """Full passes of the read model, in one transaction: the Natural call log is then written
    inside it rather than by its writer thread, which would race the sync for SQLite's
    shared-cache table locks ("database table is locked")."""
    from django.db import transaction

    from read_model import sync
    from read_model.models import SyncRun

    with transaction.atomic():
        for resource in resources:
            run = sync.sync(resource)
            assert run.state == SyncRun.State.COMPLETE, run.error


# Playwright's "networkidle" waits for 500 ms without a request after the last one; these pages
# start any follow-up request (an htmx "load" trigger, a redirect) within about 100 ms.
QUIET_SECONDS = 0.2


class Traffic:
    """The requests of one browser context still on the wire, and when the last one moved."""

    def __init__(self, context) -> None:
        self.on_wire: set = set()
        self.moved = time.monotonic()
        context.on("request", self._started)
        context.on("requestfinished", self._ended)
        context.on("requestfailed", self._ended)
        context.on("page", lambda page: page.on("close", self._closed))
        context.traffic = self

    def _started(self, request) -> None:
        self.on_wire.add(request)
        self.moved = time.monotonic()

    def _ended(self, request) -> None:
        self.on_wire.discard(request)
        self.moved = time.monotonic()

    def _closed(self, page) -> None:
        # A closed tab's requests never end: they would keep its context's other tabs loading.
        for request in list(self.on_wire):
            try:
                gone = request.frame.page == page
            except Exception:  # noqa: BLE001 - a request of no frame (a worker's) stays
                gone = False
            if gone:
                self.on_wire.discard(request)


def new_context(browser, **options):
    """A browser context whose requests `settled` can follow."""
    context = browser.new_context(**options)
    Traffic(context)
    return context


def settled(page, timeout: float = 15.0) -> None:
    """Like wait_for_load_state("networkidle"): the page loaded and no request for a moment,
    with a shorter moment. A click's request may not have started when this is called, so
    the quiet moment is counted from the call at the earliest."""
    traffic = getattr(page.context, "traffic", None)
    if traffic is None:
        page.wait_for_load_state("networkidle")
        return
    called = time.monotonic()
    deadline = called + timeout
    while True:
        now = time.monotonic()
        if not traffic.on_wire and now - max(traffic.moved, called) >= QUIET_SECONDS:
            break
        if now > deadline:
            raise AssertionError(f"the page kept loading: {[r.url for r in traffic.on_wire]}")
        page.wait_for_timeout(25)
    page.wait_for_load_state("load")


class Journey:
    """One user's browser tab: every visited page is screenshotted and checked with axe-core."""

    def __init__(self, page, base_url: str, name: str) -> None:
        self.page = page
        self.base_url = base_url
        self.name = name
        self.step = 0
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", self._on_console)
        # The sandbox's hostile names call alert(); a dialog means one of them ran.
        page.on("dialog", self._on_dialog)

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.settle(path)

    def settle(self, label: str, *, full_page: bool = True) -> None:
        """After a navigation or swap: wait for htmx to finish, screenshot, check accessibility."""
        settled(self.page)
        self.snap(label, full_page=full_page)
        self.check_accessibility(label)

    def snap(self, label: str, *, full_page: bool = True) -> Path:
        """The page as it is now; `full_page=False` for the window only (a page thousands of
        rows long makes a picture of tens of megabytes)."""
        self.step += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:60] or "page"
        path = ARTIFACTS / f"{self.name}-{self.step:02d}-{slug}.png"
        # caret="initial": hiding the caret injects a style the strict CSP refuses (and logs).
        self.page.screenshot(path=str(path), full_page=full_page, caret="initial")
        return path

    def check_accessibility(self, label: str) -> None:
        # evaluate() runs through the DevTools protocol, so the page's strict CSP still applies
        # to the page itself while axe is injected.
        self.page.evaluate(AXE_SOURCE)
        results = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
            for v in results
            if v["impact"] in ("serious", "critical")
        ]
        assert not serious, f"accessibility on {label}: {serious}"

    def login(self, username: str, password: str) -> None:
        self.goto("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.settle("after login")


def axe_violations(page) -> list[str]:
    """Every axe-core violation on the page as it is now, whatever its impact."""
    page.evaluate(AXE_SOURCE)
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in found
    ]


def spoken_focus(page) -> tuple[str, str]:
    """The focused element's role and name as Chromium hands them to a screen reader."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    for node in nodes:
        focused = any(
            p["name"] == "focused" and p["value"].get("value") for p in node.get("properties", [])
        )
        role = node.get("role", {}).get("value")
        if focused and role != "RootWebArea":
            return role, node.get("name", {}).get("value", "")
    return "", ""


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    settled(page)


# The review queue's caption: “N left to review”.
LEFT_IS = (
    "n => Number((document.querySelector('#review-table caption')?.textContent"
    " .match(/([\\d,]+) left to review/) || [])[1]?.replace(/,/g, '')) === n"
)


def left_to_review(page) -> int:
    caption = page.locator("#review-table caption").inner_text()
    return int(re.search(r"([\d,]+) left to review", caption).group(1).replace(",", ""))
