"""Logging in and out, sessions, CSRF and login throttling."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_then_overview(client, make_user):
    make_user("support", "sam")
    response = client.post("/login/", {"username": "sam", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, make_user):
    make_user("support", "sam")
    response = client.post("/login/", {"username": "sam", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.text


def test_login_rotates_the_session_key(client, make_user):
    make_user("support", "sam")
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    client.post("/login/", {"username": "sam", "password": PASSWORD})
    assert client.session.session_key != before


def test_logout_is_post_only_and_ends_the_session_on_the_server(client, make_user):
    from django.contrib.sessions.models import Session

    make_user("support", "sam")
    client.post("/login/", {"username": "sam", "password": PASSWORD})
    key = client.session.session_key
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302


def test_sessions_expire_after_eight_hours():
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60


def test_a_session_past_its_expiry_signs_nobody_in(client, make_user):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    user = make_user("support", "sam")
    client.force_login(user)
    assert client.get("/invitations/").status_code != 302
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/invitations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_signed_in_user_is_the_same_user_on_the_next_request(client, make_user):
    user = make_user("manager", "max")
    user.email = "max@example.com"
    user.save()
    client.force_login(user)
    request_user = client.get("/").wsgi_request.user
    assert (request_user.pk, request_user.username, request_user.email) == (
        user.pk,
        "max",
        "max@example.com",
    )
    assert request_user.date_joined == user.date_joined
    assert request_user.is_active
    assert not request_user.is_superuser
    assert request_user.has_perm("dashboard.cancel_invitations")
    assert not request_user.has_perm("dashboard.invite_customers")


def test_post_without_csrf_token_is_refused(make_user):
    make_user("support", "sam")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/login/", {"username": "sam", "password": PASSWORD})
    assert response.status_code == 403
    assert "This page has expired" in response.text


def test_logout_without_csrf_token_is_refused(make_user):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_user("support"))
    assert strict.post("/logout/").status_code == 403
    assert strict.get("/").status_code == 200


def test_repeated_failed_logins_lock_the_account_and_log_it(client, make_user, caplog):
    make_user("support", "sam")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "sam", "password": "wrong"})
    response = client.post("/login/", {"username": "sam", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert any("lock" in record.getMessage().lower() for record in caplog.records)
