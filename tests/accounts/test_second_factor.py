"""A second factor (TOTP + recovery codes) for the password logins of the roles that need one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command

from accounts.models import SecurityEvent
from tests.accounts.support import (
    ACTIVATE,
    AUTHENTICATE,
    enrol,
    log_in,
    sign_in_with_sso,
    totp_code,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED_ROLES = ["admin", "manager"]


def test_admin_must_enrol_at_first_login_before_any_page(client, make_user, required):
    make_user("admin", "ada")

    log_in(client, "ada")

    assert client.get("/").status_code == 302
    assert client.get("/").headers["Location"] == ACTIVATE
    assert client.get("/delegations/").headers["Location"] == ACTIVATE
    page = client.get(ACTIVATE)
    assert "Set up your second factor" in page.text
    assert 'src="data:image/svg+xml;base64,' in page.text


def test_htmx_request_before_enrolment_redirects_the_whole_page(client, make_user, required):
    make_user("manager", "max")
    log_in(client, "max")

    response = client.get("/delegations/", headers={"HX-Request": "true"})

    assert response.status_code == 401
    assert response["HX-Redirect"] == ACTIVATE


def test_enrolment_shows_recovery_codes_then_opens_the_dashboard(
    client, make_user, required, django_capture_on_commit_callbacks
):
    make_user("admin", "ada")
    log_in(client, "ada")

    with django_capture_on_commit_callbacks(execute=True):
        secret = enrol(client)

    codes = client.get("/accounts/2fa/recovery-codes/")
    assert codes.status_code == 200
    assert len(codes.context["unused_codes"]) == 10
    assert client.get("/").status_code == 200
    assert secret
    enrolled = SecurityEvent.objects.get(kind="factor_enrolled", username="ada")
    assert enrolled.detail == "authenticator app"


def test_wrong_code_at_enrolment_is_refused_and_keeps_the_secret(client, make_user, required):
    make_user("admin", "ada")
    log_in(client, "ada")
    secret = client.get(ACTIVATE).context["form"].secret

    response = client.post(ACTIVATE, {"code": "000000" if totp_code(secret) != "000000" else "1"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["form"].secret == secret
    assert not Authenticator.objects.exists()


def test_enrolled_admin_signs_in_with_password_then_a_code(client, make_user, required):
    make_user("admin", "ada")
    log_in(client, "ada")
    secret = enrol(client)
    client.post("/logout/")

    first = log_in(client, "ada")

    assert first.status_code == 302
    assert first["Location"].startswith(AUTHENTICATE)
    assert client.get("/").status_code == 302  # not signed in yet
    wrong = client.post(AUTHENTICATE, {"code": "12345"})
    assert wrong.status_code == 200
    assert client.get("/").status_code == 302
    done = client.post(AUTHENTICATE, {"code": totp_code(secret)})
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    assert SecurityEvent.objects.filter(
        kind="sign_in_failed", username="ada", detail="wrong second-factor code"
    ).exists()


def test_a_recovery_code_signs_in_once(client, make_user, required):
    make_user("admin", "ada")
    log_in(client, "ada")
    enrol(client)
    code = client.get("/accounts/2fa/recovery-codes/").context["unused_codes"][0]
    client.post("/logout/")

    log_in(client, "ada")
    client.post(AUTHENTICATE, {"code": code})
    assert client.get("/").status_code == 200
    client.post("/logout/")

    log_in(client, "ada")
    again = client.post(AUTHENTICATE, {"code": code})
    assert again.status_code == 200
    assert client.get("/").status_code == 302
    assert SecurityEvent.objects.filter(kind="recovery_code_used", username="ada").count() == 1


def test_roles_not_named_sign_in_with_a_password_alone(client, make_user, required):
    make_user("support", "sam")
    log_in(client, "sam")
    assert client.get("/").status_code == 200


def test_nothing_is_required_when_no_role_is_named(client, make_user, settings):
    settings.MFA_REQUIRED_ROLES = []
    make_user("admin", "ada")
    log_in(client, "ada")
    assert client.get("/").status_code == 200


def test_sso_sign_in_is_not_asked_to_enrol(client, sso, required):
    sso.add_user("ada", ["admins"])
    sign_in_with_sso(client, sso, "ada")
    assert client.get("/").status_code == 200


def test_admin_resets_a_lost_factor_with_a_command_that_is_logged(client, make_user, required):
    make_user("admin", "root")
    make_user("manager", "max")
    log_in(client, "max")
    enrol(client)
    client.post("/logout/")

    call_command("reset_second_factor", "max", "--by", "root", "--reason", "lost phone")

    assert not Authenticator.objects.filter(user__username="max").exists()
    reset = SecurityEvent.objects.get(kind="factor_reset", username="max")
    assert reset.actor == "root"
    assert "lost phone" in reset.detail
    response = log_in(client, "max")
    assert response["Location"] != AUTHENTICATE
    assert client.get("/")["Location"] == ACTIVATE


def test_only_an_admin_may_reset_a_factor(make_user):
    make_user("manager", "max")
    make_user("support", "sam")
    with pytest.raises(CommandError, match="not an active admin"):
        call_command("reset_second_factor", "max", "--by", "sam")
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("reset_second_factor", "nobody", "--by", "sam")
    assert not SecurityEvent.objects.filter(kind="factor_reset").exists()


@pytest.mark.parametrize(("debug", "expected"), [("true", "[]"), ("false", "['admin', 'manager']")])
def test_the_demo_needs_no_factor_and_production_asks_admins_and_managers(debug, expected):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MFA_", "DJANGO_"))}
    env.update(
        DJANGO_DEBUG=debug,
        DJANGO_SECRET_KEY="p9-Lq2vX7!rT4zW8mK1nB6cY3hJ0sD5fG2aE7uI9oQ4wZ1xC8vB3",
        DJANGO_ALLOWED_HOSTS="admin.example.com",
        NATURAL_API_URL="https://api.natural.invalid",
        NATURAL_API_TOKEN="production-token",
    )
    code = "from django.conf import settings; print(settings.MFA_REQUIRED_ROLES)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == expected, result.stderr


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, "5 10 15"),
        ({"AXES_COOLOFF_MINUTES": "30", "MFA_CODE_LOCK_MINUTES": ""}, "5 10 30"),
        ({"MFA_CODE_FAILURE_LIMIT": "3", "MFA_CODE_LOCK_MINUTES": "60"}, "3 10 60"),
    ],
)
def test_the_limits_on_wrong_codes_come_from_the_environment(given, expected):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MFA_", "AXES_"))}
    env.update(given)
    code = (
        "from django.conf import settings as s; print(s.MFA_CODE_FAILURE_LIMIT,"
        " s.MFA_CODE_USER_FAILURE_LIMIT, s.MFA_CODE_LOCK_MINUTES)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == expected, result.stderr
