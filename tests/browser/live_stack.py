"""The product as an operator runs it, for journeys that need the workers: the sandbox, the
dashboard and a worker (`manage.py run_worker`), each a process of its own, on the database task
backend, sharing a database of their own (a SQLite file, or a PostgreSQL database beside the one
DATABASE_URL names). The journeys' in-process live server cannot serve here: its SQLite test
database lives in memory, out of a worker process's reach, and the tests' settings send tasks
inside the request that enqueues them.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.browser.support import ROOT
from tests.fixtures.users import PASSWORD

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, *, seconds: float, what: str):
    """Poll `check` until it returns something true; a transport error counts as not yet."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            found = check()
        except httpx.TransportError:
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {seconds:.0f} s")
        time.sleep(0.2)


class Stack:
    """Start with `start()`, stop with `stop()`; every process is its own process group."""

    def __init__(self, workdir: Path, database_url: str) -> None:
        self.workdir = workdir
        self.token = secrets.token_urlsafe(24)
        self.sandbox_port, self.port = free_port(), free_port()
        self.sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "NATURAL_API_URL": self.sandbox_url,
            "NATURAL_API_TOKEN": self.token,
            "DJANGO_DEBUG": "true",
            "TASKS_BACKEND": "database",
            # Only the batch is worked on: no read-model pass takes the worker meanwhile.
            "PERIODIC_PASSES": "false",
        }
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, admin: str) -> None:
        sandbox = ("-m", "sandbox", "--host", "127.0.0.1", "--port", str(self.sandbox_port))
        self._spawn("sandbox", *sandbox)
        self._manage("migrate", "--no-input", "-v", "0")
        self._manage("create_user", admin, "--role", "admin", "--password-stdin", input=PASSWORD)
        self._spawn("dashboard", "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload")
        self._spawn("worker", "manage.py", "run_worker", "--name", "journey-worker", "-v", "0")
        agents = f"{self.sandbox_url}/agents"
        wait_until(
            lambda: httpx.get(agents, headers=self.auth, timeout=2).is_success,
            seconds=STARTUP_SECONDS,
            what="the sandbox to answer",
        )
        wait_until(
            lambda: httpx.get(f"{self.base_url}/healthz", timeout=2).is_success,
            seconds=STARTUP_SECONDS,
            what="the dashboard to answer",
        )
        self.check_running()

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def natural(self, method: str, path: str, **kwargs) -> httpx.Response:
        """A call to the sandbox with the shared token, as the test's own eyes on Natural."""
        response = httpx.request(
            method, f"{self.sandbox_url}{path}", headers=self.auth, timeout=10, **kwargs
        )
        response.raise_for_status()
        return response

    def check_running(self) -> None:
        stopped = {name: p.returncode for name, p in self.processes.items() if p.poll() is not None}
        assert not stopped, f"stopped on their own: {stopped}; logs in {self.workdir}"

    def logs(self) -> str:
        return "".join(path.read_text(errors="replace") for path in self.workdir.glob("*.log"))

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def _spawn(self, name: str, *args: str) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _manage(self, *args: str, input: str | None = None) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=input,
            text=True,
            capture_output=True,
            check=True,
            timeout=STARTUP_SECONDS * 2,
        )


def own_database(main_url: str, tmp_path: Path, name: str):
    """A database for the stack alone, and how to remove it: a SQLite file in `tmp_path`, or,
    when `main_url` names PostgreSQL, a database of its own beside that one."""
    if not main_url.startswith("postgres"):
        return f"sqlite:///{tmp_path / f'{name}.sqlite3'}", lambda: None
    import psycopg

    base, main_name = main_url.rsplit("/", 1)
    database = f"{main_name}_{name}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = base.replace("postgres://", "postgresql://", 1) + "/postgres"

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    drop()
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{database}"')
    return f"{base}/{database}", drop
