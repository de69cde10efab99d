"""`make demo`: migrate, seed, start the sandbox, a worker and the dashboard, print where to
log in.

Ctrl-C stops all three.
"""

from __future__ import annotations

import base64
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def main() -> int:
    port = os.environ.get("PORT", "8000")
    sandbox_port = os.environ.get("SANDBOX_PORT", "8765")
    env = dict(os.environ)
    env.setdefault("DJANGO_DEBUG", "true")
    env.setdefault("DJANGO_PRODUCT_ERROR_PAGES", "true")
    # A fresh random token per demo run: the sandbox and the dashboard share it, nobody else.
    env.setdefault("NATURAL_API_TOKEN", secrets.token_urlsafe(24))
    env.setdefault("NATURAL_API_URL", f"http://127.0.0.1:{sandbox_port}")
    # The sandbox signs its webhooks with a fresh secret the dashboard verifies them with.
    webhook_secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    env.setdefault("SANDBOX_WEBHOOK_SECRET", webhook_secret)
    env.setdefault("NATURAL_WEBHOOK_SECRETS", env["SANDBOX_WEBHOOK_SECRET"])
    (ROOT / "var").mkdir(exist_ok=True)

    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "seed_demo_users")

    children: list[subprocess.Popen] = []

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        sandbox = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "sandbox",
                "--host",
                "127.0.0.1",
                "--port",
                sandbox_port,
                "--webhook-url",
                f"http://127.0.0.1:{port}/webhooks/natural/",
            ],
            cwd=ROOT,
            env=env,
        )
        children.append(sandbox)
        wait_for_sandbox(env["NATURAL_API_URL"], env["NATURAL_API_TOKEN"], sandbox)
        manage(env, "sync_index")
        dashboard = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
        )
        children.append(dashboard)
        # The worker sends batches and keeps the read model fresh (its schedule). It says only
        # what goes wrong, so its every-few-seconds tasks do not scroll the logins away.
        worker = subprocess.Popen(
            [PYTHON, "manage.py", "run_worker", "--name", "demo-worker", "--verbosity", "0"],
            cwd=ROOT,
            env={**env, "LOG_LEVEL": "WARNING"},
        )
        children.append(worker)
        time.sleep(1.5)
        print_welcome(port)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A server or the worker stopped; shutting the demo down.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping the demo.")
        return 0
    finally:
        stop()


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_for_sandbox(url: str, token: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    headers = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("The sandbox did not start (is its port already in use?).")
        try:
            if httpx.get(f"{url}/agents", headers=headers, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("The sandbox did not answer within 30 seconds.")


def print_welcome(port: str) -> None:
    print(
        f"""
  Natural Admin is running at  http://127.0.0.1:{port}/
  (against the Natural sandbox, with one worker for batches and the
  read model's periodic passes; Ctrl-C stops all three)

  Demo logins (password: natural-demo)
    admin     everything: invite customers, revoke, cancel, audit log
    manager   review and revoke delegations, cancel invitations
    support   read only: find customers, their agents and invitations
""",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
