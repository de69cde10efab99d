"""Fault drills: every fault the sandbox can inject, against one invitation each.

For each fault the operation ends known (or is made known by retrying with the same key), no
operation is lost, and Natural holds exactly one invitation for the recipient.
"""

from __future__ import annotations

import contextlib
import json
import os
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


# A worker SIGKILLed while a part of a big batch is on the wire: a real sandbox (its faults and
# its rate limit), real workers (`manage.py run_worker`) sharing a database, and a batch of
# DRILL_RECIPIENTS recipients. The killed part is settled as a dead web process's was: its
# lease runs out, the workers' watch gives the batch senders again, and the part is sent again
# with the same key and bytes. Natural must hold every recipient exactly once.

ROOT = Path(__file__).resolve().parents[2]
DRILL_PASSWORD = "drill-password-not-secret"
INVITE_PATH = r"^/agents/agt_[0-9a-f]+/customers$"
DRILL_RECIPIENTS = int(os.environ.get("DRILL_RECIPIENTS", "20000"))
REDIS_DRILL_DB = 14


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


def held_by_natural(sandbox_url: str, token: str, agent_id: str, prefix: str) -> Counter:
    held: Counter = Counter()
    cursor = None
    with httpx.Client(base_url=sandbox_url, headers={"Authorization": f"Bearer {token}"}) as api:
        while True:
            params = {"agentId": agent_id, "limit": 100, **({"cursor": cursor} if cursor else {})}
            answer = api.get("/agents/invitations", params=params)
            if answer.status_code == 429:
                time.sleep(float(answer.headers.get("Retry-After", "1")))
                continue
            document = answer.json()
            for item in document["data"]:
                email = (item.get("attributes") or {}).get("email") or ""
                if email.startswith(prefix):
                    held[email] += 1
            pagination = document["meta"]["pagination"]
            cursor = pagination["nextCursor"]
            if not pagination["hasMore"]:
                return held


def redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1).ping())
    except Exception:
        return False


def _queue_backends():
    yield pytest.param("database", "sqlite", id="sqlite-database-queue")
    yield pytest.param(
        "database", "postgres", id="postgres-database-queue", marks=pytest.mark.postgres
    )
    yield pytest.param("redis", "sqlite", id="redis-queue")


class Drill:
    """The processes of one drill: the sandbox, workers, and the database they share."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.workers: list[subprocess.Popen] = []
        self.sandbox: subprocess.Popen | None = None

    def manage(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, **kwargs
        )

    def worker(self, name: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--name", name, "-v", "0"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.workers.append(process)
        return process

    def stop(self) -> None:
        for process in [*self.workers, self.sandbox]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [*self.workers, self.sandbox]:
            if process is not None:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


def states(database_query) -> Counter:
    return Counter(
        dict(database_query("select state, count(*) from operations_operation group by state"))
    )


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize(("queue", "database"), list(_queue_backends()))
def test_a_worker_killed_mid_part_of_a_big_batch_leaves_nobody_lost_or_invited_twice(
    queue, database, tmp_path, request
):
    ci = os.environ.get("CI") == "true"
    if queue == "redis" and not redis_answers():
        reason = "Redis does not answer on 127.0.0.1:6379: the Redis drill needs it"
        if ci:
            pytest.fail(reason)
        print(f"SKIPPED: {reason}")
        pytest.skip(reason)
    database_url = f"sqlite:///{tmp_path / 'drill.sqlite3'}"
    if database == "postgres":
        main_url = os.environ.get("DATABASE_URL", "")
        if not main_url.startswith("postgres"):
            pytest.skip("the PostgreSQL drill runs when DATABASE_URL names PostgreSQL")
        database_url = _drill_database(main_url, request)
    token = secrets.token_urlsafe(24)
    sandbox_port = free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "NATURAL_API_URL": sandbox_url,
        "NATURAL_API_TOKEN": token,
        "DJANGO_DEBUG": "true",
        "TASKS_BACKEND": queue,
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DRILL_DB}",
        "PERIODIC_PASSES": "false",
        # The sending lease (these timeouts, the retry budget and a margin) is 11 s here.
        "NATURAL_API_CONNECT_TIMEOUT": "1",
        "NATURAL_API_READ_TIMEOUT": "4",
        "NATURAL_API_RETRY_BUDGET": "1",
    }
    if queue == "redis":
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    api = {"Authorization": f"Bearer {token}"}
    drill = Drill(env)
    tag = uuid.uuid4().hex[:8]
    try:
        drill.sandbox = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "--port", str(sandbox_port), "--rate-limit", "60"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        drill.manage("migrate", "--no-input", "-v", "0")
        drill.manage(
            "create_user",
            "drill",
            "--role",
            "admin",
            "--password-stdin",
            input=DRILL_PASSWORD,
            text=True,
            capture_output=True,
        )
        wait_until(
            lambda: httpx.get(f"{sandbox_url}/agents", headers=api, timeout=1).is_success,
            seconds=30,
            what="the sandbox to start",
        )
        agent_id = httpx.get(f"{sandbox_url}/agents", headers=api).json()["data"][0]["id"]

        def fault(**spec) -> None:
            httpx.post(f"{sandbox_url}/__sandbox/faults", headers=api, json=spec).raise_for_status()

        # Natural's faults, all through the batch: errors it recovers from, answers lost after
        # the commit, a 429 of its own on top of the bucket's.
        fault(kind="error", status=503, count=3, method="POST", path=INVITE_PATH)
        fault(kind="drop_after", count=2, method="POST", path=INVITE_PATH)
        fault(kind="rate_limit", retry_after=1, method="POST", path=INVITE_PATH)
        query = _query(database_url)
        batch = [str(DRILL_RECIPIENTS), agent_id, "drill", tag]
        subprocess.run(
            [sys.executable, "-m", "tests.operations.drill_batch", *batch],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        parts = -(-DRILL_RECIPIENTS // 100)
        first = drill.worker("drill-a")
        wait_until(
            lambda: states(query)["succeeded"] >= min(20, parts // 4),
            seconds=120,
            what="the first parts to be sent",
        )
        # The next part stays on the wire for 3 s: the worker sending it is killed meanwhile.
        fault(kind="latency", seconds=3, method="POST", path=INVITE_PATH)
        wait_until(
            lambda: (
                query(
                    "select count(*) from operations_operation where state = 'sending' and "
                    "first_sent_at is not null"
                )[0][0]
                >= 1
            ),
            seconds=60,
            what="a part on the wire",
        )
        time.sleep(1)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
        drill.worker("drill-b")
        drill.worker("drill-a-again")

        wait_until(
            lambda: query("select state from operations_batch")[0][0] == "done",
            seconds=300,
            what="the batch to finish",
        )
        finished_after = time.monotonic() - killed_at
        final = states(query)
        held = held_by_natural(sandbox_url, token, agent_id, f"drill.{tag}.")
        duplicates = sum(count - 1 for count in held.values() if count > 1)
        lost = DRILL_RECIPIENTS - len(held)
        tally(1, sum(final.values()), duplicates, lost)
        drill_tally.note(
            f"worker SIGKILL drill ({queue} queue, {database}): {DRILL_RECIPIENTS:,} recipients, "
            f"finished {finished_after:.0f} s after the kill"
        )
        assert final == Counter(succeeded=parts), final
        assert (duplicates, lost) == (0, 0)
    finally:
        drill.stop()


def _query(database_url: str):
    """A plain connection to the drill's database, outside Django's (the workers own it)."""
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")

        def run(sql: str):
            with contextlib.closing(sqlite3.connect(path, timeout=20)) as db:
                return db.execute(sql).fetchall()

        return run
    import psycopg

    def run(sql: str):
        with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as db:
            return db.execute(sql).fetchall()

    return run


def _drill_database(main_url: str, request) -> str:
    """A database of the drill's own beside the suite's (dropped afterwards)."""
    import psycopg

    base = main_url.rsplit("/", 1)[0]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{main_url.rsplit('/', 1)[1]}_drill_{worker}"
    admin = base.replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    request.addfinalizer(drop)
    return f"{base}/{name}"
