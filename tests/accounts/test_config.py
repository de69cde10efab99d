"""Single sign-on is configured only through the environment, and a mistake stops the start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.role_map import parse_role_map, role_for_groups

ROOT = Path(__file__).resolve().parents[2]
SSO = {
    "OIDC_ISSUER_URL": "https://login.company.invalid/realms/staff",
    "OIDC_CLIENT_ID": "natural-admin",
    "OIDC_CLIENT_SECRET": "from-the-vault",
    "OIDC_ROLE_MAP": "admins:admin,payments-managers:manager,support:support",
}


def check(**overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "DATABASE_URL"))}
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_complete_sso_environment_starts():
    result = check(**SSO)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", ["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_ROLE_MAP"])
def test_an_issuer_without_the_rest_refuses_to_start(missing):
    result = check(**{k: v for k, v in SSO.items() if k != missing})
    assert result.returncode != 0
    assert f"OIDC_ISSUER_URL is set, so these are needed too: {missing}" in result.stderr


def test_a_role_map_naming_an_unknown_role_refuses_to_start():
    result = check(**{**SSO, "OIDC_ROLE_MAP": "admins:owner"})
    assert result.returncode != 0
    assert "'owner' is not one of admin, manager, support" in result.stderr


def test_role_map_parsing_and_the_most_powerful_role_wins():
    mapping = parse_role_map(" admins:admin , payments-managers:manager,,support:support")
    assert mapping == {"admins": "admin", "payments-managers": "manager", "support": "support"}
    assert role_for_groups(["support", "payments-managers"], mapping) == "manager"
    assert role_for_groups("admins", mapping) == "admin"
    assert role_for_groups(["marketing"], mapping) is None
    assert role_for_groups(None, mapping) is None
    assert role_for_groups({"admins": True}, mapping) is None
    with pytest.raises(ImproperlyConfigured, match="is not group:role"):
        parse_role_map("admins")
