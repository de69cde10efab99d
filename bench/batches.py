"""Batches on real workers: a sandbox server (50 ms a call), the dashboard's database, gunicorn,
and `manage.py run_worker` processes, as production runs them.

- 100,000 recipients (1,000 parts of 100) against Natural's rate limit of 20 requests a second:
  the batch's wall time (the limit allows 50 s), invitations Natural holds twice, 429s the
  senders met, the 50-row table partial's latency while the batch runs and without it, and each
  worker's memory sampled through the batch.
- Without a rate limit: parts per second with one worker and with four.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench.serving import (
    TABLE,
    TABLE_HEADERS,
    TOKEN,
    free_port,
    production_env,
    running,
    session_cookie,
    set_latency,
    wait_until_up,
)

ROOT = Path(__file__).resolve().parent.parent
RECIPIENTS = 100_000
RATE_LIMIT = 20
UPSTREAM_SECONDS = 0.05
WORKERS = 4
SCALING_RECIPIENTS = {1: 30_000, WORKERS: 60_000}
# The partial reads Natural with the senders' credential: one read every few seconds stays
# inside the little of the bucket the senders leave to pages.
PAGE_EVERY_SECONDS = 2.5
API = {"Authorization": f"Bearer {TOKEN}"}


def run(postgres_url: str | None = None) -> dict:
    """`run(None)`: the dashboard's database is a SQLite file; `run("postgres://...")`: a
    scratch PostgreSQL database beside the one named (dropped afterwards)."""
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="natural-bench-batches-") as tmp:
        if postgres_url:
            with scratch_postgres(postgres_url) as database_url:
                figures = measure(database_url)
        else:
            figures = measure(f"sqlite:///{tmp}/batches.sqlite3")
    return {
        **figures,
        "load average before (1, 5, 15 min)": load_before,
        "load average after (1, 5, 15 min)": os.getloadavg(),
    }


@contextlib.contextmanager
def scratch_postgres(url: str, name: str = "natural_bench_batches"):
    import psycopg

    base = url.rpartition("/")[0]
    admin = base.replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def measure(database_url: str) -> dict:
    sandbox_port, web_port = free_port(), free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    env = production_env(sandbox_url, database_url)
    env.update(TASKS_BACKEND="database", PERIODIC_PASSES="false")
    manage(env, "migrate", "--no-input", "-v", "0")
    cookie = session_cookie(env)
    sandbox = [sys.executable, "-m", "sandbox", "--port", str(sandbox_port)]
    sandbox += ["--rate-limit", str(RATE_LIMIT)]
    web = [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "scripts/gunicorn.conf.py"]
    web_env = {**env, "BIND": f"127.0.0.1:{web_port}"}
    with running(sandbox, env), running(web, web_env):
        wait_until_up(f"{sandbox_url}/agents", API)
        wait_until_up(f"http://127.0.0.1:{web_port}/healthz")
        set_latency(sandbox_url, UPSTREAM_SECONDS)
        agent_id = httpx.get(f"{sandbox_url}/agents", headers=API).json()["data"][0]["id"]
        page = Page(f"http://127.0.0.1:{web_port}", cookie)
        figures = rate_limited_batch(env, database_url, sandbox_url, agent_id, page)
        control(sandbox_url, "rate-limit", {"perSecond": 0})
        figures.update(scaling(env, database_url, agent_id))
    return figures


def rate_limited_batch(env, database_url, sandbox_url, agent_id, page) -> dict:
    with workers(env, WORKERS) as processes:
        page.warm_up()
        without = page.sample(count=15)
        memory = Memory([process.pid for process in processes])
        tag = uuid.uuid4().hex[:8]
        with memory.sampling(), page.sampling() as during:
            started = enqueue_batch(env, RECIPIENTS, agent_id, tag)
            wall = wait_done(database_url, started)
    control(sandbox_url, "rate-limit", {"perSecond": 0})
    held = held_by_natural(sandbox_url, agent_id, f"bench.{tag}.")
    query = database(database_url)
    rate_limited = query("select count(*) from operations_operationattempt where status = 429")
    states = dict(query("select state, count(*) from operations_operation group by state"))
    start_mb, peak_mb, end_mb = memory.widest()
    return {
        "batch": f"{RECIPIENTS:,} recipients, {RECIPIENTS // 100:,} parts, {WORKERS} workers",
        "rate limit (requests/s)": RATE_LIMIT,
        "wall time the rate limit allows, upstream (s)": RECIPIENTS / 100 / RATE_LIMIT,
        "batch wall time, 50 ms upstream (s)": round(wall, 1),
        "parts": states,
        "429 answers to the senders": rate_limited[0][0],
        "recipients invited twice": sum(count - 1 for count in held.values() if count > 1),
        "recipients not invited": RECIPIENTS - len(held),
        "table partial, 50 ms upstream, without a batch p50 (ms)": percentile(without, 0.5),
        "table partial, 50 ms upstream, without a batch p95 (ms)": percentile(without, 0.95),
        "table partial, 50 ms upstream, during the batch p50 (ms)": percentile(during, 0.5),
        "table partial, 50 ms upstream, during the batch p95 (ms)": percentile(during, 0.95),
        "table partial samples without / during": f"{len(without)} / {len(during)}",
        "worker RSS start (MB)": start_mb,
        "worker RSS peak (MB)": peak_mb,
        "worker RSS end (MB)": end_mb,
    }


def scaling(env, database_url, agent_id) -> dict:
    rates = {}
    for count, recipients in SCALING_RECIPIENTS.items():
        with workers(env, count):
            started = enqueue_batch(env, recipients, agent_id, uuid.uuid4().hex[:8])
            wait_done(database_url, started)
        rates[count] = parts_per_second(database_url)
    return {
        "parts per second, no rate limit, 1 worker": round(rates[1], 1),
        f"parts per second, no rate limit, {WORKERS} workers": round(rates[WORKERS], 1),
        f"{WORKERS} workers / 1 worker": round(rates[WORKERS] / rates[1], 2),
    }


# The processes


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


@contextlib.contextmanager
def workers(env: dict, count: int):
    with contextlib.ExitStack() as stack:
        processes = [
            stack.enter_context(
                running([sys.executable, "manage.py", "run_worker", "-v", "0"], env)
            )
            for _ in range(count)
        ]
        time.sleep(5)  # Django started in each, and its first poll of the queue made
        yield processes


def enqueue_batch(env: dict, recipients: int, agent_id: str, tag: str) -> float:
    """Commit a batch as a confirmed invite form does and hand it to the workers; returns the
    moment its senders were queued (Unix seconds)."""
    code = f"import bench.batches as b; b.make_batch({recipients}, {agent_id!r}, {tag!r})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    return float(result.stdout.split()[-1])


def make_batch(count: int, agent_id: str, tag: str) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from natural import pace, writes
    from operations import batches, engine
    from operations.models import Action
    from operations.recipients import Recipient

    pace.forget()  # each batch learns Natural's rate limit afresh
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    people = [Recipient("email", f"bench.{tag}.{n}@example.com") for n in range(count)]
    parts = batches.invite_parts(
        agent_id,
        (
            (chunk, writes.invite_customers_body(chunk, ["payments.read"], 2500, expires))
            for chunk in writes.chunks(people)
        ),
    )
    batch = engine.create_batch(
        key=uuid.uuid4(),
        actor=get_user_model().objects.get(username="bench"),
        action=Action.INVITE_CUSTOMERS,
        target={"agent_id": agent_id},
        summary={"recipients": count},
        parts=parts,
    )
    started = time.time()
    batches.start(batch)
    print(started, flush=True)


def control(sandbox_url: str, what: str, body: dict) -> None:
    httpx.post(f"{sandbox_url}/__sandbox/{what}", json=body, headers=API).raise_for_status()


# The measurements


def database(database_url: str):
    """Plain queries on the dashboard's database, beside the workers' connections."""
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")

        def query(sql: str):
            with contextlib.closing(sqlite3.connect(path, timeout=20)) as db:
                return db.execute(sql).fetchall()

        return query
    import psycopg

    def query(sql: str):
        with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as db:
            return db.execute(sql).fetchall()

    return query


def as_unix(value) -> float:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def wait_done(database_url: str, started: float, timeout: float = 600) -> float:
    """Seconds from the senders' start to the newest batch's `done`."""
    query = database(database_url)
    deadline = time.monotonic() + timeout
    newest = "select state, finished_at from operations_batch order by id desc limit 1"
    while time.monotonic() < deadline:
        state, finished_at = query(newest)[0]
        if state == "done":
            return as_unix(finished_at) - started
        time.sleep(0.5)
    raise RuntimeError("the batch did not finish")


def parts_per_second(database_url: str) -> float:
    """The newest batch's parts over the time between its first and its last answer."""
    rows = database(database_url)(
        "select finished_at from operations_operation where batch_id = "
        "(select max(id) from operations_batch) order by finished_at"
    )
    moments = [as_unix(row[0]) for row in rows]
    return (len(moments) - 1) / (moments[-1] - moments[0])


def held_by_natural(sandbox_url: str, agent_id: str, prefix: str) -> Counter:
    held: Counter = Counter()
    cursor = None
    with httpx.Client(base_url=sandbox_url, headers=API, timeout=30) as api:
        while True:
            params = {"agentId": agent_id, "limit": 100, **({"cursor": cursor} if cursor else {})}
            document = api.get("/agents/invitations", params=params).raise_for_status().json()
            for item in document["data"]:
                email = (item.get("attributes") or {}).get("email") or ""
                if email.startswith(prefix):
                    held[email] += 1
            pagination = document["meta"]["pagination"]
            cursor = pagination["nextCursor"]
            if not pagination["hasMore"]:
                return held


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))], 1)


class Page:
    """The 50-row invitations partial, asked for as htmx does, one request at a time."""

    def __init__(self, url: str, cookie: str) -> None:
        self.client = httpx.Client(
            base_url=url, cookies={"sessionid": cookie}, headers=TABLE_HEADERS, timeout=30
        )

    def get_ms(self) -> float:
        started = time.perf_counter()
        response = self.client.get(TABLE)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"the table partial answered {response.status_code}")
        return elapsed

    def warm_up(self) -> None:
        for _ in range(6):
            self.get_ms()

    def sample(self, *, count: int) -> list[float]:
        found = []
        for _ in range(count):
            time.sleep(1.0)
            found.append(self.get_ms())
        return found

    @contextlib.contextmanager
    def sampling(self):
        found: list[float] = []
        stop = threading.Event()

        def loop():
            while not stop.wait(PAGE_EVERY_SECONDS):
                found.append(self.get_ms())

        thread = threading.Thread(target=loop)
        thread.start()
        try:
            yield found
        finally:
            stop.set()
            thread.join()


class Memory:
    """Each worker's resident memory, sampled twice a second."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.samples: dict[int, list[float]] = {pid: [] for pid in pids}

    def take(self) -> None:
        for pid in self.pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    self.samples[pid].append(int(line.split()[1]) / 1024)

    @contextlib.contextmanager
    def sampling(self):
        stop = threading.Event()
        self.take()

        def loop():
            while not stop.wait(0.5):
                self.take()

        thread = threading.Thread(target=loop)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join()
            self.take()

    def widest(self) -> tuple[float, float, float]:
        """(start, peak, end) in MB of the worker whose memory grew most."""
        series = max(self.samples.values(), key=lambda s: max(s) - s[0])
        return round(series[0], 1), round(max(series), 1), round(series[-1], 1)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    for name, value in run().items():
        print(f"{name:52} {value}")
