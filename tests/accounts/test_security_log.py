"""The security log: what admins read after a sign-in incident."""

from __future__ import annotations

import pytest
from django.conf import settings

from accounts.models import SecurityEvent
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.django_db


def test_only_admins_read_the_security_log_and_see_its_link(client, make_user):
    client.force_login(make_user("manager", "max"))
    assert client.get("/security/").status_code == 403
    assert 'href="/security/"' not in client.get("/audit/").text

    client.force_login(make_user("admin", "ada"))
    page = client.get("/security/")
    assert page.status_code == 200
    assert 'href="/security/"' in page.text


def test_failed_sign_ins_a_lockout_and_a_sign_in_are_logged_with_address(client, make_user):
    make_user("admin", "ada")
    make_user("support", "sam")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "sam", "password": "wrong"})
    client.post("/login/", {"username": "ada", "password": PASSWORD})

    page = client.get("/security/")

    kinds = list(SecurityEvent.objects.values_list("kind", "username"))
    assert kinds.count(("sign_in_failed", "sam")) == settings.AXES_FAILURE_LIMIT
    assert ("locked_out", "sam") in kinds
    assert ("sign_in", "ada") in kinds
    assert "Locked out" in page.text
    assert "Failed sign-in" in page.text
    assert "127.0.0.1" in page.text
    assert PASSWORD not in page.text


def test_the_log_filters_by_user_and_kind(admin_client, make_user):
    SecurityEvent.objects.create(kind="sign_in", username="ada", actor="ada")
    SecurityEvent.objects.create(kind="sign_in_failed", username="bob", actor="bob")

    by_user = admin_client.get("/security/", {"user": "bob"})
    by_kind = admin_client.get("/security/", {"kind": "sign_in"})
    nonsense = admin_client.get("/security/", {"kind": "<script>", "offset": "x"})

    assert [e.username for e in by_user.context["rows"]] == ["bob"]
    assert {e.kind for e in by_kind.context["rows"]} == {"sign_in"}
    # Like every table: a filter that cannot be read lists nothing and says why.
    assert nonsense.status_code == 400
    assert "These filters cannot be used" in nonsense.text
    assert "<script>" not in nonsense.text


def test_reauthentication_with_a_password_is_throttled_by_axes_too(client, make_user, settings):
    make_user("admin", "ada")
    client.post("/login/", {"username": "ada", "password": PASSWORD})
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/reauthenticate/", {"password": "wrong"})

    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})

    assert response.status_code == 429
    assert SecurityEvent.objects.filter(kind="locked_out", username="ada").exists()
