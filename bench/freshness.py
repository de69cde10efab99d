"""The freshness drill: with webhooks on, how long a change made in the sandbox takes to show in
the read model the tables read (p50/p95 over 100 changes); without them, how long the
revocation check takes to walk the active delegations (a revocation then shows within the
check's interval plus this).

Runs the real thing on loopback: the sandbox sending signed webhooks, the dashboard under
gunicorn receiving them (tasks run inline until a task queue is configured), a SQLite file.
"""

from __future__ import annotations

import base64
import os
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.serving import TOKEN, free_port, production_env, running, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
CHANGES = 100
DEADLINE_SECONDS = 30
TABLE = "customer_index_indexedagentinvitation"


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, -(-len(ordered) * fraction // 1).__int__()) - 1]


def run() -> dict:
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    sandbox_port, web_port = free_port(), free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "fresh.sqlite3"
        env = production_env(sandbox_url, f"sqlite:///{database}")
        env.update(
            NATURAL_WEBHOOK_SECRETS=secret, SANDBOX_WEBHOOK_SECRET=secret, PORT=str(web_port)
        )
        manage(env, "migrate", "--no-input")
        sandbox = [
            sys.executable, "-m", "sandbox", "--port", str(sandbox_port), "--token", TOKEN,
            "--invitations", "2000",
            "--webhook-url", f"http://127.0.0.1:{web_port}/webhooks/natural/",
        ]  # fmt: skip
        with running(sandbox, env):
            wait_until_up(f"{sandbox_url}/agents", {"Authorization": f"Bearer {TOKEN}"})
            manage(env, "sync_index")
            web = [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-c",
                "scripts/gunicorn.conf.py",
            ]
            with running(web, env):
                wait_until_up(f"http://127.0.0.1:{web_port}/healthz")
                lags = drill(sandbox_url, database)
            started = time.monotonic()
            manage(env, "sync_index", "--revocations")
            check_seconds = time.monotonic() - started
    return {
        "changes": len(lags),
        "webhook change to table p50 (s)": round(statistics.median(lags), 3),
        "webhook change to table p95 (s)": round(percentile(lags, 0.95), 3),
        "webhook change to table max (s)": round(max(lags), 3),
        "revocation check walk (s)": round(check_seconds, 2),
        "revocation shows within, webhooks off, */4 timer (s)": round(240 + check_seconds, 1),
    }


def drill(sandbox_url: str, database: Path) -> list[float]:
    """Accept 100 pending invitations, one after another (Natural reports each with
    party.delegation_granted). Time until the table reads the invitation as accepted."""
    natural = httpx.Client(base_url=sandbox_url, headers={"Authorization": f"Bearer {TOKEN}"})
    pending = natural.get("/agents/invitations", params={"status": "PENDING", "limit": 100})
    ids = [item["id"] for item in pending.json()["data"]][:CHANGES]
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    lags = []
    status = f"SELECT status FROM {TABLE} WHERE invitation_id = ?"  # noqa: S608
    for invitation_id in ids:
        started = time.monotonic()
        natural.post(f"/__sandbox/invitations/{invitation_id}/accept").raise_for_status()
        while time.monotonic() - started < DEADLINE_SECONDS:
            if db.execute(status, [invitation_id]).fetchone() == ("ACCEPTED",):
                break
            time.sleep(0.01)
        lags.append(time.monotonic() - started)
    db.close()
    return lags


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    print(run())
