"""How much server time a 50-row table partial costs, the upstream wait excluded.

Runs the invitations table partial against the in-process sandbox through Django's test
client, timing each upstream call at the transport, so what is left is our own work:
routing, the filter form, parsing, presenting and the template.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx

WARMUP = 30
REQUESTS = 300
ROWS = 50
URL = f"/invitations/?limit={ROWS}"
TARGET = "invitations-table"
SANDBOX_TOKEN = "sk_ntl_bench_0123456789abcdef0123456789abcdef"


class TimedTransport(httpx.BaseTransport):
    """Counts upstream calls and adds up the time (wall and this thread's CPU) spent in them."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.calls = 0
        self.seconds = 0.0
        self.cpu_seconds = 0.0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started, cpu = time.perf_counter(), time.thread_time()
        response = self.inner.handle_request(request)
        response.read()
        self.seconds += time.perf_counter() - started
        self.cpu_seconds += time.thread_time() - cpu
        self.calls += 1
        return response


def _configure(workdir: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "STATIC_MANIFEST": "false",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "NATURAL_API_URL": "http://natural.sandbox",
            "NATURAL_API_TOKEN": SANDBOX_TOKEN,
            "LOG_LEVEL": "WARNING",
        }
    )


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run() -> dict:
    """p50/p95 server milliseconds (upstream excluded) and upstream calls per request."""
    with tempfile.TemporaryDirectory(prefix="natural-bench-") as workdir:
        _configure(Path(workdir))
        import django

        django.setup()
        import logging

        from django.contrib.auth.models import Group, User
        from django.core.management import call_command
        from django.test import Client

        from natural import call_log
        from natural import client as natural_client
        from natural.reads import list_agents
        from sandbox import create_app
        from sandbox.testing import SandboxTransport

        logging.disable(logging.WARNING)
        call_command("migrate", verbosity=0)
        user = User.objects.create_user("bench-support", password="bench-" + "y" * 20)
        user.groups.add(Group.objects.get(name="support"))

        transport = TimedTransport(SandboxTransport(create_app(token=SANDBOX_TOKEN, seed=7)))
        natural_client.use_transport(transport)
        list_agents()  # the agents list is cached for a minute in normal use

        browser = Client()
        browser.force_login(user)
        headers = {"HX-Request": "true", "HX-Target": TARGET}
        server_ms: list[float] = []
        cpu_ms: list[float] = []
        calls: list[int] = []
        for index in range(WARMUP + REQUESTS):
            transport.calls, transport.seconds, transport.cpu_seconds = 0, 0.0, 0.0
            started, cpu = time.perf_counter(), time.thread_time()
            response = browser.get(URL, headers=headers)
            elapsed = time.perf_counter() - started
            cpu_elapsed = time.thread_time() - cpu
            if (
                response.status_code != 200
                or response.content.count(b'class="copy" data-copy=') != ROWS
            ):
                raise RuntimeError(f"unexpected response {response.status_code}")
            if index >= WARMUP:
                server_ms.append((elapsed - transport.seconds) * 1000)
                cpu_ms.append((cpu_elapsed - transport.cpu_seconds) * 1000)
                calls.append(transport.calls)
        natural_client.reset_client()
        call_log.flush()  # before the database's folder is removed
        logging.disable(logging.NOTSET)
    return {
        "table": f"invitations partial, {ROWS} rows, {REQUESTS} requests",
        "server_ms_p50": round(statistics.median(server_ms), 2),
        "server_ms_p95": round(_percentile(server_ms, 0.95), 2),
        # The same work as this thread's CPU time: what other processes on a busy machine
        # cannot stretch.
        "server_cpu_ms_p50": round(statistics.median(cpu_ms), 2),
        "upstream_calls_per_request": max(calls),
    }


if __name__ == "__main__":
    result = run()
    print(
        f"{result['table']}: server time without upstream p50 {result['server_ms_p50']} ms, "
        f"p95 {result['server_ms_p95']} ms, upstream calls per request "
        f"{result['upstream_calls_per_request']}"
    )
