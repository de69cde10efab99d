"""The read model at scale: 100,000 rows of each of the four lists served by the sandbox over
HTTP on this machine, one full sync of all four (`manage.py sync_index --jobs 4`), a quick
pass, then sorted, filtered, counted pages with facet counts.

`run(None)` uses a temporary SQLite file; `run("postgres://...")` a scratch database next to
the one named (BENCH_READ_MODEL_DB names it; dropped afterwards). Page time is server time:
the queries and building the answer, as a view would, without HTTP or templates.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.search import percentile, scratch_postgres, setup_django

ROOT = Path(__file__).resolve().parent.parent
ROWS = 100_000
TOKEN = "sk_ntl_sandbox_bench_read_model"
REPEATS = 30
SYNC_TARGET_SECONDS = 240
PAGE_TARGET_MS = 20


def questions(agents: list[str]) -> dict[str, dict]:
    """A fixed mix of what the tables will ask: each sorted, filtered, counted, faceted."""
    first, second = agents[0], agents[1]
    return {
        "pending invitations by expiry": {
            "resource": "agent_invitations",
            "filters": {"status": ["PENDING"]},
            "sort": "expires_at",
        },
        "one agent's open invitations by email": {
            "resource": "agent_invitations",
            "filters": {"agent": first, "status": ["PENDING", "EXPIRED"]},
            "sort": "email",
        },
        "invitations: permission and limit, page 5": {
            "resource": "agent_invitations",
            "filters": {"permission": "payments.create", "limit_at_least": 100_000},
            "sort": "-per_transaction_cents",
            "offset": 200,
        },
        "invitations: search part of an email": {
            "resource": "agent_invitations",
            "filters": {"status": ["PENDING"]},
            "search_for": "garcia",
        },
        "active delegations of an agent, big limits": {
            "resource": "agent_delegations",
            "filters": {"state": "active", "agent": second, "limit_at_least": 100_000},
            "sort": "-per_transaction_cents",
        },
        "delegations expiring within 30 days": {
            "resource": "agent_delegations",
            "filters": {"state": "active", "expiring_within_days": 30},
            "sort": "expires_at",
        },
        "revoked delegations by customer name": {
            "resource": "agent_delegations",
            "filters": {"state": "revoked"},
            "sort": "customer_name",
        },
        "delegations table: search part of a name, by status": {
            "resource": "agent_delegations",
            "search_for": "schmi",
            "sort": "revoked",
        },
        "pending delegation invitations": {
            "resource": "delegation_invitations",
            "filters": {"status": "PENDING"},
            "sort": "-created_at",
        },
        "customers by name": {
            "resource": "customers",
            "filters": {"delegation_status": "ACTIVE"},
            "sort": "name",
        },
    }


def run(database_url: str | None) -> dict:
    drop = None
    with tempfile.TemporaryDirectory() as tmp:
        if database_url:
            name = os.environ.get("BENCH_READ_MODEL_DB", "natural_bench_read_model")
            database_url, drop = scratch_postgres(database_url, name)
        else:
            database_url = f"sqlite:///{tmp}/bench.sqlite3"
        sandbox, base_url = start_sandbox()
        try:
            return measure(database_url, base_url)
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=30)
            if drop:
                drop()


def start_sandbox() -> tuple[subprocess.Popen, str]:
    port = os.environ.get("SANDBOX_PORT", "0")
    command = [sys.executable, "-m", "sandbox", "--port", port, "--token", TOKEN]
    for option in ("--customers", "--invitations", "--delegations", "--delegation-invitations"):
        command += [option, str(ROWS)]
    sandbox = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = sandbox.stdout.readline()
    if "listening on " not in line:
        sandbox.kill()
        raise RuntimeError(f"the sandbox did not start: {line!r}")
    return sandbox, line.split("listening on ")[1].split()[0]


def measure(database_url: str, base_url: str) -> dict:
    setup_django(database_url, base_url, TOKEN)
    from django.core.management import call_command
    from django.db import connection

    from natural import call_log, reads
    from read_model import query
    from read_model.models import SyncRun

    started = time.perf_counter()
    call_command("sync_index", "--jobs", "4", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    sync_seconds = time.perf_counter() - started
    runs = {run.resource: run for run in SyncRun.objects.filter(state="complete")}
    started = time.perf_counter()
    call_command(
        "sync_index",
        "--quick",
        "--jobs",
        "4",
        verbosity=0,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    quick_seconds = time.perf_counter() - started

    agents = sorted(agent.id for agent in reads.list_agents())
    # The sync's thousands of Natural calls are still being logged by a background thread:
    # timed beside it, the first questions measured the log's writes, not the page.
    call_log.flush()
    timings: dict[str, list[float]] = {}
    for title, question in questions(agents).items():
        resource = question.pop("resource")
        query.ask(resource, **question)  # warm the cache pages for this question once
        for _ in range(REPEATS):
            began = time.perf_counter()
            answer = query.ask(resource, **question)
            timings.setdefault(title, []).append((time.perf_counter() - began) * 1000)
        if not (answer.rows and answer.count):
            raise RuntimeError(f"{title}: no rows, the figure would mean nothing")
    everything = [ms for values in timings.values() for ms in values]
    figures = {
        "database": f"{connection.vendor} {connection.Database.sqlite_version}"
        if connection.vendor == "sqlite"
        else f"{connection.vendor} {connection.pg_version // 10000}",
        "rows synced": sum(run.seen for run in runs.values()),
        "full sync of all four (s)": round(sync_seconds, 1),
    }
    for resource, run in runs.items():
        seconds = (run.finished_at - run.started_at).total_seconds()
        figures[f"  {resource}: rows / pages / s"] = f"{run.seen} / {run.pages} / {seconds:.1f}"
    figures["quick pass of all four (s)"] = round(quick_seconds, 2)
    figures["page with count + facets p50 (ms)"] = percentile(everything, 50)
    figures["page with count + facets p95 (ms)"] = percentile(everything, 95)
    for title, values in timings.items():
        figures[f"  {title} p50/p95 (ms)"] = f"{percentile(values, 50)} / {percentile(values, 95)}"
    figures["targets"] = (
        f"sync <= {SYNC_TARGET_SECONDS} s, page p95 <= {PAGE_TARGET_MS} ms (count and facets in)"
    )
    return figures


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else None
    for key, value in run(url).items():
        print(f"{key:48} {value}")
