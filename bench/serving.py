"""The dashboard as production serves it: gunicorn (threaded) against a live sandbox on loopback.

Measures the overview's fan-out under 100 ms upstream latency, table-partial throughput under
50 ms upstream latency, and a worker's memory after 5,000 requests.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = secrets.token_urlsafe(16)
TABLE = "/invitations/?limit=50"
TABLE_HEADERS = {"HX-Request": "true", "HX-Target": "invitations-table"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, headers: dict | None = None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, headers=headers, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


@contextmanager
def running(command: list[str], env: dict, **kwargs):
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def production_env(sandbox_url: str, database_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "NATURAL_API_URL": sandbox_url,
        "NATURAL_API_TOKEN": TOKEN,
        "DATABASE_URL": database_url,
        "STATIC_MANIFEST": "false",
        "LOG_LEVEL": "WARNING",
        # The bench's admin session has no second factor: measure serving, not enrolment.
        "MFA_REQUIRED_ROLES": "",
    }


def session_cookie(env: dict) -> str:
    """Log a bench user in by making its session directly (the cookie is Secure-only over HTTP)."""
    script = (
        "import django; django.setup()\n"
        "from django.contrib.auth.models import User, Group\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "user, _ = User.objects.get_or_create(username='bench')\n"
        "user.groups.set([Group.objects.get(name='admin')])\n"
        "s = SessionStore(); s['_auth_user_id'] = str(user.pk)\n"
        "s['_auth_user_backend'] = 'dashboard.auth.PermissionBackend'\n"
        "s['_auth_user_hash'] = user.get_session_auth_hash(); s.create(); print(s.session_key)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def set_latency(sandbox_url: str, seconds: float) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    httpx.delete(f"{sandbox_url}/__sandbox/faults", headers=headers)
    if seconds:
        fault = {"kind": "latency", "seconds": seconds, "count": 10_000_000}
        httpx.post(f"{sandbox_url}/__sandbox/faults", json=fault, headers=headers)


def load(url: str, cookie: str, *, requests: int, concurrency: int) -> tuple[float, int]:
    """Send `requests` table partials from `concurrency` threads; return (req/s, errors).

    Each thread keeps one connection open and speaks through the standard library's
    http.client: the load generator shares the two cores with the dashboard and the sandbox,
    and a heavier client (httpx took about 1.8 ms of CPU a request) takes their time.
    """
    server = urlsplit(url)
    headers = {**TABLE_HEADERS, "Cookie": f"sessionid={cookie}"}
    remaining = iter(range(requests))
    lock = threading.Lock()
    errors = 0

    def worker() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection(server.hostname, server.port, timeout=30)
        try:
            while True:
                with lock:
                    if next(remaining, None) is None:
                        return
                try:
                    connection.request("GET", TABLE, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    failed = response.status != 200
                except (OSError, http.client.HTTPException):
                    connection.close()  # the next request opens a new connection
                    failed = True
                if failed:
                    with lock:
                        errors += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return requests / (time.perf_counter() - started), errors


def worker_rss_mb(master_pid: int) -> float:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return max(sizes) if sizes else 0.0


def run(requests_for_memory: int = 5000) -> dict:
    sandbox_port, web_port = free_port(), free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    web_url = f"http://127.0.0.1:{web_port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = production_env(sandbox_url, f"sqlite:///{tmp}/bench.sqlite3")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        cookie = session_cookie(env)
        sandbox_cmd = [sys.executable, "-m", "sandbox", "--port", str(sandbox_port)]
        web_cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--config",
            "scripts/gunicorn.conf.py",
        ]
        web_env = {**env, "BIND": f"127.0.0.1:{web_port}", "WEB_WORKERS": "2"}
        with running(sandbox_cmd, env), running(web_cmd, web_env) as web:
            wait_until_up(f"{sandbox_url}/agents", {"Authorization": f"Bearer {TOKEN}"})
            wait_until_up(f"{web_url}/healthz")
            cookies = {"sessionid": cookie}

            set_latency(sandbox_url, 0.1)
            overview = []
            with httpx.Client(cookies=cookies) as client:
                client.get(web_url + "/", timeout=30)
                for _ in range(10):
                    started = time.perf_counter()
                    client.get(web_url + "/", timeout=30)
                    overview.append((time.perf_counter() - started) * 1000)

            set_latency(sandbox_url, 0.05)
            load(web_url, cookie, requests=100, concurrency=8)  # warm up both workers
            throughput, errors = load(web_url, cookie, requests=1500, concurrency=32)

            set_latency(sandbox_url, 0)
            load(web_url, cookie, requests=requests_for_memory, concurrency=8)
            rss = worker_rss_mb(web.pid)
    return {
        "overview_ms_p50_at_100ms_upstream": round(statistics.median(overview), 1),
        "table_partials_per_second_at_50ms_upstream": round(throughput, 1),
        "table_partial_errors": errors,
        f"worker_rss_mb_after_{requests_for_memory}_requests": round(rss, 1),
    }


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:48} {value}")
