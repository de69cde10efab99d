"""Fault drills: every fault the sandbox can inject, against one invitation each.

For each fault the operation ends known (or is made known by retrying with the same key), no
operation is lost, and Natural holds exactly one invitation for the recipient.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from django.db import connections
from django.test import Client

from operations import engine
from operations.models import Batch, Operation, State
from sandbox.testing import SandboxTransport
from tests.fixtures import drill_tally
from tests.fixtures.drill_tally import tally
from tests.operations.invite_form import URL, form_data, form_key, preview_then_confirm

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def summary_line():
    # The one line for all drills is printed when the run ends (tests/fixtures/drill_tally.py).
    drill_tally.started()


FAULTS = [
    ("latency", {"kind": "latency", "seconds": 0.2}),
    ("429 with Retry-After", {"kind": "rate_limit", "retry_after": 1}),
    ("500", {"kind": "error", "status": 500}),
    ("502 burst", {"kind": "error", "status": 502, "count": 3}),
    ("503 burst", {"kind": "error", "status": 503, "count": 3}),
    ("dropped before handling", {"kind": "drop_before"}),
    ("dropped after the commit", {"kind": "drop_after"}),
    ("sandbox stopped", None),
]


def invite_body(email: str) -> bytes:
    attributes = {
        "recipients": [{"type": "email", "value": email}],
        "permissions": ["payments.read"],
        "limits": {"perTransaction": 10000},
    }
    return json.dumps({"data": {"attributes": attributes}}).encode()


def invitations_for(natural, email: str) -> int:
    return sum(1 for i in natural.state.invitations if i.recipient.value == email)


def invite_once(user, agent_id: str, email: str, drill: str) -> Operation:
    return engine.submit(
        key=uuid.uuid4(),
        actor=user,
        action="invite_customers",
        method="POST",
        path=f"/agents/{agent_id}/customers",
        body=invite_body(email),
        idempotent=True,
        target={"agent": agent_id, "drill": drill},
    )


def refuse_connection(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def drill(natural, user, agent_id: str, name: str, fault: dict | None) -> Operation:
    from natural import client

    email = f"drill.{uuid.uuid4().hex[:8]}@example.com"
    if fault is None:
        client.use_transport(httpx.MockTransport(refuse_connection))
    else:
        fault = dict(fault)
        kind, count = fault.pop("kind"), fault.pop("count", 1)
        natural.faults.add(kind, count=count, path=r"^/agents/agt_[0-9a-f]+/customers$", **fault)
    operation = invite_once(user, agent_id, email, name)
    if fault is None:
        client.use_transport(SandboxTransport(natural))
    natural.faults.clear()
    if operation.state != "succeeded":
        operation = engine.retry(operation)
    operation.target["email"] = email
    return operation


def test_no_fault_loses_or_duplicates_an_invitation(natural, make_user):
    user = make_user("admin")
    agent_id = next(iter(natural.state.agents)).id
    duplicates = lost = 0
    for name, fault in FAULTS:
        operation = drill(natural, user, agent_id, name, fault)
        count = invitations_for(natural, operation.target["email"])
        duplicates += max(count - 1, 0)
        lost += int(count == 0 or not Operation.objects.filter(pk=operation.pk).exists())
        assert operation.state == "succeeded", (name, operation.state, operation.result)
        assert count == 1, (name, count)
        sent = {a.body_sha256 for a in operation.attempts.all()}
        assert sent == {operation.body_sha256}, name
    tally(len(FAULTS), Operation.objects.count(), duplicates, lost)
    assert (duplicates, lost) == (0, 0)


def test_a_retry_answered_401_stays_unknown_and_a_later_retry_settles_it(natural, make_user):
    from natural import client

    user = make_user("admin")
    agent_id = next(iter(natural.state.agents)).id
    email = f"drill.{uuid.uuid4().hex[:8]}@example.com"
    natural.faults.add("drop_after", count=5, path=r"^/agents/agt_[0-9a-f]+/customers$")
    operation = invite_once(user, agent_id, email, "retry answered 401")
    natural.faults.clear()
    assert operation.state == "unknown"
    client.use_transport(httpx.MockTransport(lambda request: httpx.Response(401, json={})))
    operation = engine.retry(operation)
    assert operation.state == "unknown", "a 401 says nothing about the first send"
    client.use_transport(SandboxTransport(natural))
    operation = engine.retry(operation)
    assert operation.state == "succeeded"
    held = invitations_for(natural, email)
    tally(1, 1, max(held - 1, 0), int(held == 0))
    assert held == 1


# Two identical confirms at the same moment, where Natural refuses one part: "Natural refused
# this batch; nothing was invited" only when every part in the database was refused, otherwise
# both requests land on the batch page (JavaScript off: the test client runs none).

UNKNOWN_PARTY = "pty_" + "0" * 32


class PausingTransport(httpx.BaseTransport):
    """Holds the first invite request on the wire until told to let it through."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.on_wire = threading.Event()
        self.release = threading.Event()
        self._paused = False
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            with self._lock:
                pause, self._paused = not self._paused, True
            if pause:
                self.on_wire.set()
                self.release.wait(timeout=30)
        return self.inner.handle_request(request)


def confirm_with_a_refused_second_part(client, agent_id) -> dict:
    good = [f"ok{n}@example.com" for n in range(100)]
    data = form_data(agent_id, form_key(client.get(URL).text), "\n".join([*good, UNKNOWN_PARTY]))
    _, confirm = preview_then_confirm(client, data)
    return confirm


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirms_with_a_refused_part_both_land_on_the_batch(
    natural, make_user, agent_id, monkeypatch
):
    from natural import client as natural_client
    from operations.views import invite

    user = make_user("admin", username="ada")
    first, second = Client(), Client()
    first.force_login(user)
    second.force_login(user)
    confirm = confirm_with_a_refused_second_part(first, agent_id)
    wire = PausingTransport(SandboxTransport(natural))
    natural_client.use_transport(wire)

    # The second request passes "is there a batch with this key?" before the first creates it,
    # then goes on while the first request's part 1 is still on the wire.
    real_create = invite.engine.create_batch
    checked = threading.Event()

    def create_batch(**arguments):
        if threading.current_thread() is not threading.main_thread():
            checked.set()
            wire.on_wire.wait(timeout=30)
        return real_create(**arguments)

    monkeypatch.setattr(invite.engine, "create_batch", create_batch)
    answers = {}

    def second_confirm():
        try:
            answers["second"] = second.post(URL, confirm)
        finally:
            wire.release.set()
            connections.close_all()

    thread = threading.Thread(target=second_confirm)
    thread.start()
    assert checked.wait(timeout=30)
    answers["first"] = first.post(URL, confirm)
    thread.join(timeout=60)

    batch = Batch.objects.get()
    states = sorted(batch.operations.values_list("state", flat=True))
    assert states == [State.FAILED, State.SUCCEEDED]
    held = [invitations_for(natural, f"ok{n}@example.com") for n in range(100)]
    tally(1, batch.operations.count(), sum(max(n - 1, 0) for n in held), held.count(0))
    for name in ("first", "second"):
        response = answers[name]
        assert response.status_code == 302, (name, response.status_code)
        assert response["Location"] == f"/operations/batches/{batch.key}/"
        assert "nothing was invited" not in response.text
    assert held == [1] * 100


@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_every_part_was_refused_offers_the_list_again(natural, make_user, agent_id):
    user = make_user("admin", username="ada")
    client = Client()
    client.force_login(user)
    data = form_data(agent_id, form_key(client.get(URL).text), UNKNOWN_PARTY)
    _, confirm = preview_then_confirm(client, data)
    page = client.post(URL, confirm)
    again = client.post(URL, confirm)
    assert page.status_code == again.status_code == 200
    for response in (page, again):
        assert "Natural refused this batch; nothing was invited" in response.text
        assert UNKNOWN_PARTY in response.text
        assert form_key(response.text) != confirm["key"]


# A web process SIGKILLed while a batch is on the wire: a real sandbox and a real dashboard
# process (`manage.py runserver --noreload`) sharing a SQLite file; recovery goes only through
# the dashboard's own pages.

ROOT = Path(__file__).resolve().parents[2]
DRILL_PASSWORD = "drill-password-not-secret"
INVITE_PATH = r"^/agents/agt_[0-9a-f]+/customers$"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
        except (httpx.HTTPError, OSError, sqlite3.Error):
            found = None
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


class Dashboard:
    """One `runserver --noreload` process: a single process, so SIGKILL takes it all."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port = env, port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(
            lambda: httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200,
            seconds=60,
            what="the dashboard to start",
        )

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def held_by_natural(sandbox_url: str, token: str, agent_id: str, emails: set[str]) -> Counter:
    held: Counter = Counter()
    cursor = None
    with httpx.Client(base_url=sandbox_url, headers={"Authorization": f"Bearer {token}"}) as api:
        while True:
            params = {"agentId": agent_id, "limit": 100, **({"cursor": cursor} if cursor else {})}
            document = api.get("/agents/invitations", params=params).json()
            for item in document["data"]:
                email = (item.get("attributes") or {}).get("email") or ""
                if email in emails:
                    held[email] += 1
            pagination = document["meta"]["pagination"]
            cursor = pagination["nextCursor"]
            if not pagination["hasMore"]:
                return held


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_web_process_killed_mid_batch_recovers_through_its_pages(tmp_path):
    token = secrets.token_urlsafe(24)
    sandbox_port, web_port = free_port(), free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    database = tmp_path / "drill.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "NATURAL_API_URL": sandbox_url,
        "NATURAL_API_TOKEN": token,
        "DJANGO_DEBUG": "true",
        # A part is flagged stuck once its lease (these timeouts, the retry budget and a margin)
        # runs out: 11 s here instead of the default 17 s. The first part's 3 s on the wire fits.
        "NATURAL_API_CONNECT_TIMEOUT": "1",
        "NATURAL_API_READ_TIMEOUT": "4",
        "NATURAL_API_RETRY_BUDGET": "1",
    }
    api = {"Authorization": f"Bearer {token}"}
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(sandbox_port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    dashboard = Dashboard(env, web_port)
    try:
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [*manage, "create_user", "drill", "--role", "admin", "--password-stdin"],
            cwd=ROOT,
            env=env,
            input=DRILL_PASSWORD,
            text=True,
            check=True,
            capture_output=True,
        )
        wait_until(
            lambda: httpx.get(f"{sandbox_url}/agents", headers=api, timeout=1).is_success,
            seconds=30,
            what="the sandbox to start",
        )
        dashboard.start()
        web = httpx.Client(base_url=dashboard.url, timeout=30)
        login = web.get("/login/")
        web.post(
            "/login/",
            data={
                "username": "drill",
                "password": DRILL_PASSWORD,
                "csrfmiddlewaretoken": csrf_of(login.text),
            },
        )
        form = web.get("/invitations/new/")
        assert form.status_code == 200, "logged in as an admin"
        agent_id = re.search(r'<option value="(agt_[0-9a-f]{32})"', form.text).group(1)
        tag = uuid.uuid4().hex[:8]
        emails = [f"kill.{tag}.{n}@example.com" for n in range(150)]
        data = {
            "csrfmiddlewaretoken": csrf_of(form.text),
            "key": re.search(r'name="key" value="([0-9a-f-]{36})"', form.text).group(1),
            "agent": agent_id,
            "recipients": "\n".join(emails),
            "permissions": ["payments.read"],
            "per_transaction": "25.00",
            "expires_on": (date.today() + timedelta(days=7)).isoformat(),
        }
        preview = web.post("/invitations/new/", data={**data, "step": "preview"})
        digest = re.search(r'name="preview_digest" value="([0-9a-f]+)"', preview.text).group(1)
        confirm = {**data, "step": "confirm", "preview_digest": digest}

        # The first part stays on the wire for 3 s; Natural applies it after the process died.
        httpx.post(
            f"{sandbox_url}/__sandbox/faults",
            headers=api,
            json={"kind": "latency", "seconds": 3, "method": "POST", "path": INVITE_PATH},
        ).raise_for_status()
        sender = threading.Thread(target=lambda: _post_quietly(web, confirm), daemon=True)
        sender.start()

        def sending() -> bool:
            with sqlite3.connect(database) as db:
                row = db.execute(
                    "select count(*) from operations_operation where state = 'sending'"
                ).fetchone()
            return row[0] == 1

        wait_until(sending, seconds=30, what="the first part to be on the wire")
        dashboard.kill()
        killed_at = time.monotonic()
        dashboard.start()

        stuck = wait_until(
            lambda: "stuck" in web.get("/", params={"card": "operations"}).text,
            seconds=60,
            what="the Overview to flag the stuck part",
        )
        noticed_after = time.monotonic() - killed_at
        assert stuck
        assert "needs attention" in web.get("/audit/").text
        with sqlite3.connect(database) as db:
            (batch_key,) = db.execute("select key from operations_batch").fetchone()
        batch_url = f"/operations/batches/{uuid.UUID(batch_key)}/"
        page = web.get(batch_url)
        assert "stuck" in page.text
        token_field = {"csrfmiddlewaretoken": csrf_of(page.text)}
        (reconcile_url,) = re.findall(r'action="(/audit/\d+/reconcile/)"', page.text)
        web.post(reconcile_url, data=token_field)
        web.post(f"{batch_url}send-remaining/", data=token_field)
        page = web.get(batch_url)
        for retry_url in re.findall(r'action="(/audit/\d+/retry/)"', page.text):
            web.post(retry_url, data=token_field)
        page = web.get(batch_url)
        assert "150</strong> of 150 invited" in page.text

        held = held_by_natural(sandbox_url, token, agent_id, set(emails))
        with sqlite3.connect(database) as db:
            (operations,) = db.execute("select count(*) from operations_operation").fetchone()
        duplicates = sum(max(held[email] - 1, 0) for email in emails)
        lost = sum(1 for email in emails if held[email] == 0)
        tally(1, operations, duplicates, lost)
        drill_tally.note(f"SIGKILL drill: the stuck part was flagged {noticed_after:.0f} s after")
        assert (duplicates, lost) == (0, 0)
    finally:
        dashboard.stop()
        sandbox.terminate()
        sandbox.wait(timeout=10)


def _post_quietly(web: httpx.Client, data: dict) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the process is killed under it
        web.post("/invitations/new/", data=data)
