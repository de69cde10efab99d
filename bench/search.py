"""Customer search at scale: the sandbox with 100,000 customers, one full sync, then searches.

`run(None)` uses a temporary SQLite file; `run("postgres://...")` uses a scratch database
created next to the one named (and dropped afterwards). Search time is server time: the query
and building the page of results, as the view does, without HTTP or templates.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CUSTOMERS = 100_000
TOKEN = "sk_ntl_sandbox_bench"
REPEATS = 30
# Fixed mix; "{...}" entries are filled from the seeded data (same seed, same values).
QUERIES = {
    "rare": ["wolfeschlegel", "{email}", "{email_part}", "bobby.tables"],
    "common": ["johnson", "garcia", "son", "refund"],
    "missing": ["zzqxv", "no-such-customer@nowhere", "qqq"],
    "short (1-2 chars)": ["ja", "m"],
    "party id": ["{party_id}", "pty_" + "0" * 32],
}


def run(database_url: str | None) -> dict:
    scratch = None
    with tempfile.TemporaryDirectory() as tmp:
        if database_url:
            database_url, scratch = scratch_postgres(database_url)
        else:
            database_url = f"sqlite:///{tmp}/bench.sqlite3"
        try:
            return measure(database_url)
        finally:
            if scratch:
                scratch()


def scratch_postgres(url: str, name: str = "natural_bench_search") -> tuple[str, callable]:
    import psycopg

    base, _, _ = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            # FORCE: the call log's background writer may still hold a connection.
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    return f"{base}/{name}", drop


def setup_django(database_url: str, api_url: str, token: str) -> None:
    """Django on the given database, migrated, talking to the given Natural."""
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        NATURAL_API_URL=api_url,
        NATURAL_API_TOKEN=token,
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False  # no query log growing through 100,000 upserts
    call_command("migrate", verbosity=0)


def measure(database_url: str) -> dict:
    setup_django(database_url, "http://natural.sandbox", TOKEN)
    from django.db import connection

    from natural import client
    from read_model import search, sync
    from sandbox import create_app
    from sandbox.testing import SandboxTransport

    app = create_app(token=TOKEN, customers=CUSTOMERS, delegations=CUSTOMERS // 2)
    client.use_transport(SandboxTransport(app))

    started = time.perf_counter()
    run = sync.sync_customers(started_by="bench")
    sync_seconds = time.perf_counter() - started
    assert run.state == "complete", run.error

    timings: dict[str, list[float]] = {}
    for kind, queries in QUERIES.items():
        for query in queries:
            query = fill(query, app)
            search.search(query)  # warm the cache pages for this query once
            for _ in range(REPEATS):
                began = time.perf_counter()
                search.search(query)
                timings.setdefault(kind, []).append((time.perf_counter() - began) * 1000)
    everything = [ms for values in timings.values() for ms in values]
    figures = {
        "database": f"{connection.vendor} {connection.Database.sqlite_version}"
        if connection.vendor == "sqlite"
        else f"{connection.vendor} {connection.pg_version // 10000}",
        "customers": run.seen,
        "sync wall time (s)": round(sync_seconds, 1),
        "sync pages": run.pages,
        "search p50 (ms)": percentile(everything, 50),
        "search p95 (ms)": percentile(everything, 95),
    }
    for kind, values in timings.items():
        figures[f"  {kind} p50/p95 (ms)"] = f"{percentile(values, 50)} / {percentile(values, 95)}"
    figures["targets"] = "sync <= 60 s, p95 <= 20 ms, p50 <= 5 ms"
    return figures


def fill(query: str, app) -> str:
    customers = list(app.state.customers)
    sample = customers[len(customers) // 3].party
    return query.format(
        email=sample.email,
        email_part=sample.email.split("@")[0][-9:],
        party_id=sample.id,
    )


def percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    if pct == 50:
        return round(statistics.median(ordered), 2)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))], 2)


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else None
    for key, value in run(url).items():
        print(f"{key:32} {value}")
