"""Production settings refuse local defaults; the deploy checklist passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "p9-Lq2vX7!rT4zW8mK1nB6cY3hJ0sD5fG2aE7uI9oQ4wZ1xC8vB3",
    "DJANGO_ALLOWED_HOSTS": "admin.example.com",
    "NATURAL_API_URL": "https://api.natural.invalid",
    "NATURAL_API_TOKEN": "production-token-from-the-vault",
}


TEST_ONLY = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}


def run_manage(*args: str, **overrides: str) -> subprocess.CompletedProcess:
    # A production process starts from a clean environment, not from the test runner's.
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k not in TEST_ONLY}
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("missing", sorted(k for k in PRODUCTION if k != "DJANGO_DEBUG"))
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert f"DJANGO_DEBUG=false needs these environment variables: {missing}" in result.stderr


def test_deploy_checklist_passes_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
