"""Single sign-on through a real OpenID Connect provider on loopback (tests/fixtures)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model

from accounts.models import SecurityEvent
from dashboard.roles import role_of
from tests.accounts.support import back_from_provider, sign_in_with_sso, start_sso
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_login_page_offers_the_provider_by_name(client, sso):
    page = client.get("/login/")
    assert "Sign in with Company SSO" in page.text
    assert 'name="password"' in page.text


def test_login_page_has_no_provider_button_without_sso(client):
    assert "accounts/sso/login" not in client.get("/login/").text


def test_first_sign_in_runs_the_code_flow_with_pkce_and_creates_the_user(client, sso):
    sso.add_user("maria", ["payments-managers", "everyone"])

    response = sign_in_with_sso(client, sso, "maria")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in(client)
    maria = User.objects.get(username="maria")
    assert role_of(maria) == "manager"
    assert not maria.has_usable_password()
    authorize = sso.authorize_requests[0]
    assert authorize["code_challenge_method"] == "S256"
    assert authorize["nonce"]
    assert "openid" in authorize["scope"].split()
    assert sso.token_requests[0]["code_verifier"]
    event = SecurityEvent.objects.get(kind="sign_in", username="maria")
    assert "single sign-on" in event.detail
    assert event.ip_address == "127.0.0.1"


def test_sign_in_returns_to_the_page_asked_for(client, sso):
    sso.add_user("maria", ["payments-managers"])
    response = sign_in_with_sso(client, sso, "maria", next_url="/delegations/")
    assert response["Location"] == "/delegations/"


def test_roles_follow_the_provider_groups_at_every_sign_in(client, sso):
    person = sso.add_user("maria", ["payments-managers"])
    sign_in_with_sso(client, sso, "maria")
    client.post("/logout/")

    person.groups = ["admins", "payments-managers"]
    sign_in_with_sso(client, sso, "maria")

    assert role_of(User.objects.get(username="maria")) == "admin"
    change = SecurityEvent.objects.filter(kind="role_changed", username="maria").first()
    assert change.detail == "manager → admin"
    assert change.actor == "Company SSO"
    assert User.objects.filter(username="maria").count() == 1


def test_no_mapped_group_is_refused_with_a_clear_page_and_no_role(client, sso):
    sso.add_user("mallory", ["marketing"])

    response = sign_in_with_sso(client, sso, "mallory")

    assert response.status_code == 403
    assert "You have no role in Natural Admin" in response.text
    assert not signed_in(client)
    assert not User.objects.filter(username="mallory", groups__isnull=False).exists()
    assert SecurityEvent.objects.filter(kind="sso_refused", username="mallory").exists()


def test_removed_from_every_mapped_group_loses_the_role_and_is_refused(client, sso):
    person = sso.add_user("maria", ["payments-managers"])
    sign_in_with_sso(client, sso, "maria")
    client.post("/logout/")

    person.groups = ["alumni"]
    response = sign_in_with_sso(client, sso, "maria")

    assert response.status_code == 403
    assert not signed_in(client)
    assert role_of(User.objects.get(username="maria")) is None


def test_tampered_state_is_refused(client, sso):
    sso.add_user("maria", ["payments-managers"])
    started = start_sso(client)
    location = sso.approve(started["Location"], "maria")
    url = urlsplit(location)
    query = parse_qs(url.query)
    forged = f"{url.path}?code={query['code'][0]}&state=forged-{query['state'][0]}"

    response = client.get(forged)

    assert "did not work" in response.text
    assert not signed_in(client)
    assert sso.token_requests == []  # the code was never exchanged
    assert not User.objects.filter(username="maria").exists()


def test_a_callback_replayed_in_another_browser_is_refused(client, sso, django_user_model):
    from django.test import Client

    sso.add_user("maria", ["payments-managers"])
    location = sso.approve(start_sso(client)["Location"], "maria")

    attacker = Client()
    response = back_from_provider(attacker, location)

    assert "did not work" in response.text
    assert attacker.get("/").status_code == 302


def test_tampered_nonce_is_refused(client, sso):
    sso.add_user("maria", ["payments-managers"])
    sso.id_token_overrides = {"nonce": "a-nonce-from-another-sign-in"}

    response = sign_in_with_sso(client, sso, "maria")

    assert "did not work" in response.text
    assert not signed_in(client)
    assert not User.objects.filter(username="maria").exists()
    failure = SecurityEvent.objects.get(kind="sso_failed")
    assert "nonce" in failure.detail


def test_expired_id_token_is_refused(client, sso):
    sso.add_user("maria", ["payments-managers"])
    sso.id_token_lifetime = -120

    response = sign_in_with_sso(client, sso, "maria")

    assert "did not work" in response.text
    assert not signed_in(client)
    assert not User.objects.filter(username="maria").exists()


def test_id_token_signed_by_another_key_is_refused(client, sso):
    from joserfc.jwk import RSAKey

    sso.add_user("maria", ["payments-managers"])
    published = sso.key
    sso.key = RSAKey.generate_key(2048, parameters={"kid": published.kid, "alg": "RS256"})
    # The JWKS still publishes the real key; the token is signed with an impostor's.
    original_as_dict = sso.key.as_dict
    sso.key.as_dict = lambda private=True: (
        published.as_dict(private=False) if not private else original_as_dict(private=True)
    )

    response = sign_in_with_sso(client, sso, "maria")

    assert "did not work" in response.text
    assert not signed_in(client)


def test_provider_down_shows_a_clear_page_and_password_login_still_works(client, sso, make_user):
    sso.stop()

    response = start_sso(client)

    assert response.status_code == 503
    assert "Company SSO did not answer" in response.text
    assert "log in with your dashboard password" in response.text
    assert SecurityEvent.objects.filter(kind="sso_failed").exists()
    make_user("support", "sam")
    login = client.post("/login/", {"username": "sam", "password": PASSWORD})
    assert login.status_code == 302
    assert signed_in(client)


def test_password_login_can_be_turned_off_when_sso_is_on(client, sso, settings, make_user):
    settings.PASSWORD_LOGIN_ENABLED = False
    make_user("admin", "ada")

    page = client.get("/login/")
    refused = client.post("/login/", {"username": "ada", "password": PASSWORD})

    assert "Sign in with Company SSO" in page.text
    assert 'name="password"' not in page.text
    assert refused.status_code == 403
    assert "Password login is turned off" in refused.text
    assert not signed_in(client)


def test_sso_is_not_reachable_when_not_configured(client):
    assert start_sso(client).status_code == 404
