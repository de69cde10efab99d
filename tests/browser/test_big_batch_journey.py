"""An admin uploads a 5,000-line CSV with some bad lines, reads the preview, sends, watches the
progress bar move, closes the tab, comes back, and finds the batch done.

The real thing: the dashboard, a worker (`manage.py run_worker`) on the database task backend and
the sandbox run as processes of their own (tests/browser/live_stack.py), on SQLite or, when
DATABASE_URL names PostgreSQL, on a PostgreSQL database beside it. Natural is slowed (the
sandbox's latency fault on each invite request) so that the bar is seen moving.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import uuid
from collections import Counter

import pytest

from tests.browser.live_stack import Stack, own_database, wait_until
from tests.browser.support import Journey, new_context
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.browser

LINES = 5_000
INVITE_PATH = r"^/agents/agt_[0-9a-f]+/customers$"
# Each invite request waits this long at Natural: the batch's 50 requests take half a minute or
# more on one worker, and the batch page reads itself every 2 s.
NATURAL_LATENCY_SECONDS = 0.6
# Generous: a loaded 2-core machine may run the whole batch several times slower.
BATCH_DONE_SECONDS = 600
MOVE_SECONDS = 180

# Lines (1 is the header) that are not recipients, and what is on them.
BAD_LINES = {
    8: b"not-an-email",
    250: b"ana@@example.com",
    999: b"+12",
    1234: b"pty_123",
    1777: b"bob@example",
    2048: "zoe\u202e@example.com".encode(),
    2500: b"\xff\xfeoops@example.com",
    3001: b"carol at example dot com",
    3777: b"12345",
    4096: b"=1+1",
    4321: b"eve@exa mple.com",
    4999: b"dave@example.com;",
}
DUPLICATE_LINES = {600: 10, 1500: 11, 4500: 12}  # line: the line it repeats
ALREADY_INVITED = 5
SHOWN_REFUSED = 10  # the preview lists the first ten; the CSV has them all


def pending_emails(stack: Stack, agent_id: str) -> list[str]:
    """Emails the agent has pending invitations for, as Natural lists them."""
    params = {"agentId": agent_id, "status": "PENDING", "limit": 100}
    rows = stack.natural("GET", "/agents/invitations", params=params).json()["data"]
    emails = [(row.get("attributes") or {}).get("email") or "" for row in rows]
    return [e for e in emails if re.fullmatch(r"[a-z0-9.]+@[a-z0-9-]+(\.[a-z0-9-]+)+", e)]


def invitations_held(stack: Stack, agent_id: str) -> Counter:
    """Every invitation the agent holds at Natural, counted by email."""
    held: Counter = Counter()
    cursor = None
    while True:
        params = {"agentId": agent_id, "limit": 100, **({"cursor": cursor} if cursor else {})}
        document = stack.natural("GET", "/agents/invitations", params=params).json()
        held.update(
            ((item.get("attributes") or {}).get("email") or "").lower() for item in document["data"]
        )
        pagination = document["meta"]["pagination"]
        if not pagination["hasMore"]:
            return held
        cursor = pagination["nextCursor"]


def recipients_csv(tag: str, already: list[str]) -> tuple[bytes, list[str]]:
    """LINES lines: a header, the bad lines, duplicates, recipients already invited, and new
    recipients; returns the file and the new recipients, in order."""
    lines: dict[int, bytes] = {1: b"email"}
    lines.update(BAD_LINES)
    free = [n for n in range(2, LINES + 1) if n not in BAD_LINES and n not in DUPLICATE_LINES]
    for number, email in zip(free[-len(already) :], already, strict=True):
        lines[number] = email.encode()
    new = []
    for number in free[: -len(already)]:
        email = f"big.{tag}.{number}@example.com"
        lines[number] = email.encode()
        new.append(email)
    for number, repeated in DUPLICATE_LINES.items():
        lines[number] = lines[repeated].upper()  # the same address, whatever its case
    return b"\n".join(lines[n] for n in range(1, LINES + 1)) + b"\n", new


def bar_value(page) -> float | None:
    return page.evaluate(
        "() => { const bar = document.querySelector('progress.batch-bar');"
        " return bar ? Number(bar.value) : null; }"
    )


@pytest.fixture
def stack(tmp_path, _chromium_required):
    database_url, drop = own_database(os.environ.get("DATABASE_URL", ""), tmp_path, "big_batch")
    running = Stack(tmp_path, database_url)
    try:
        running.start(admin="admin")
        yield running
    finally:
        running.stop()
        drop()
    assert running.token not in running.logs(), "the Natural token appeared in a log"


def test_admin_sends_a_big_batch_closes_the_tab_and_finds_it_done(browser, stack, request):
    agent_id = stack.natural("GET", "/agents").json()["data"][0]["id"]
    already = pending_emails(stack, agent_id)[:ALREADY_INVITED]
    assert len(already) == ALREADY_INVITED, "the seed has pending invitations for the agent"
    held_before = invitations_held(stack, agent_id)
    file, new = recipients_csv(uuid.uuid4().hex[:8], already)
    parts = math.ceil(len(new) / 100)

    context = new_context(browser, viewport={"width": 1360, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    journey = Journey(page, stack.base_url, "big-batch")
    journey.login("admin", PASSWORD)

    # The form: the agent, the file, what the invitations allow.
    journey.goto("/invitations/new/")
    page.select_option("select[name=agent]", agent_id)
    page.set_input_files(
        "input[name=recipients_file]",
        files=[{"name": "big-batch.csv", "mimeType": "text/csv", "buffer": file}],
    )
    page.check("input[name=permissions][value='payments.read']")
    page.fill("input[name=per_transaction]", "75")
    page.click("button[value=preview]")
    journey.settle("preview")

    # The preview: counts, the refused lines by number (all of them in the CSV), who is left out.
    preview = page.locator("section.ops-preview")
    facts = preview.locator("dl.facts").inner_text()
    assert re.search(rf"Recipients\s+{len(new)}\s+Emails: {len(new)}", facts), facts
    assert f"{len(DUPLICATE_LINES)} duplicates removed" in facts
    assert f"{parts} requests of at most 100 recipients" in facts
    refused = preview.locator("[role=alert]", has_text="not a recipient")
    assert f"{len(BAD_LINES)} lines of big-batch.csv are not a recipient" in refused.inner_text()
    listed = [
        int(re.match(r"CSV line (\d+): ", item).group(1))
        for item in refused.locator("li").all_inner_texts()
    ]
    assert listed == sorted(BAD_LINES)[:SHOWN_REFUSED]
    with page.expect_download() as download:
        refused.get_by_role("link", name="download every refused line as CSV").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text())))
    assert rows[0] == ["line", "reason"]
    assert [int(row[0]) for row in rows[1:]] == sorted(BAD_LINES)
    assert all(not row[1].startswith("=") for row in rows[1:]), "no cell runs as a formula"
    left_out = preview.locator("[role=alert]", has_text="already have a pending invitation")
    assert f"this agent: {ALREADY_INVITED}" in left_out.inner_text()
    assert sorted(left_out.locator("li").all_inner_texts()) == sorted(already)
    assert "They are left out of this batch." in left_out.inner_text()
    send = page.locator("button[value=confirm]")
    assert send.inner_text() == f"Send {len(new)} invitations"

    # Natural slows down, then the admin sends: the batch page follows the workers.
    stack.natural(
        "POST",
        "/__sandbox/faults",
        json={
            "kind": "latency",
            "seconds": NATURAL_LATENCY_SECONDS,
            "count": parts * 3,
            "method": "POST",
            "path": INVITE_PATH,
        },
    )
    send.click()
    page.wait_for_url("**/operations/batches/**")
    batch_url = page.url
    page.wait_for_selector("progress.batch-bar")
    first = bar_value(page)
    assert page.locator("progress.batch-bar").get_attribute("max") == str(len(new))
    assert "You may close it and come back" in page.locator("#batch-result").inner_text()
    # The page lists the recipients of its first 20 requests: the window is pictured, not them.
    journey.snap("batch sending", full_page=False)
    # The bar moves on its own: the page reads itself again, it is never reloaded.
    page.evaluate("() => { window.sameDocument = true; }")
    page.wait_for_function(
        "first => Number(document.querySelector('progress.batch-bar')?.value) > first",
        arg=first,
        timeout=MOVE_SECONDS * 1000,
    )
    moved = bar_value(page)
    assert first < moved <= len(new)
    assert page.evaluate("() => window.sameDocument === true"), "the page was reloaded"
    journey.settle("bar moved", full_page=False)

    # The tab closes mid-batch, as the page reads itself again; the workers go on without it.
    with page.expect_request(lambda sent: sent.url == batch_url, timeout=MOVE_SECONDS * 1000):
        pass
    page.close()
    stack.check_running()
    wait_until(
        lambda: "badge-done" in context.request.get(batch_url).text(),
        seconds=BATCH_DONE_SECONDS,
        what="the batch to be done",
    )

    back = context.new_page()
    back.set_default_timeout(30_000)
    later = Journey(back, stack.base_url, "big-batch-later")
    back.goto(batch_url)
    later.settle("batch done", full_page=False)
    result = back.locator("#batch-result")
    assert result.locator(".badge-done").inner_text() == "Done"
    assert f"{len(new)} of {len(new)} invited" in result.locator(".ops-metric").inner_text()
    assert back.locator("progress.batch-bar").get_attribute("value") == str(len(new))
    assert "being sent now" not in result.inner_text()
    context.close()
    for tab in (journey, later):
        assert not [e for e in tab.console_errors if "Content Security Policy" in e]
        assert not tab.dialogs

    # Natural holds every new recipient once, the already invited still once, nothing else new.
    held = invitations_held(stack, agent_id)
    assert {email: held[email] for email in new if held[email] != 1} == {}
    assert [held[email] for email in already] == [held_before[email] for email in already]
    assert sum(held.values()) - sum(held_before.values()) == len(new)
