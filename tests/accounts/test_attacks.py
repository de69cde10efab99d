"""The sign-in driven as an attacker would drive it: real requests through the login form, the
second-factor pages and the single sign-on callback, against the loopback provider made to
misbehave on purpose. Each test says what the person at the keyboard, or the admin reading the
security log, would notice."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import SecurityEvent
from dashboard.roles import role_of
from tests.accounts.support import (
    AUTHENTICATE,
    back_from_provider,
    enrol,
    log_in,
    sign_in_with_sso,
    start_sso,
    totp_code,
    wrong_code,
)

pytestmark = pytest.mark.django_db
User = get_user_model()
REAUTHENTICATE = "/accounts/2fa/reauthenticate/"


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def events(kind: str, username: str) -> list[str]:
    return list(
        SecurityEvent.objects.filter(kind=kind, username=username).values_list("detail", flat=True)
    )


# --- guessing second-factor codes ---


@pytest.fixture
def code_limits(settings):
    settings.MFA_REQUIRED_ROLES = ["admin", "manager"]
    settings.MFA_CODE_FAILURE_LIMIT = 5
    settings.MFA_CODE_USER_FAILURE_LIMIT = 10
    settings.MFA_CODE_LOCK_MINUTES = 15


@pytest.fixture
def ada(client, make_user, code_limits) -> str:
    """An admin enrolled in the second factor, signed out; returns her authenticator's secret."""
    make_user("admin", "ada")
    log_in(client, "ada")
    secret = enrol(client)
    client.post("/logout/")
    return secret


def test_guessing_codes_ends_the_sign_in_and_locks_the_account(client, ada):
    assert log_in(client, "ada")["Location"].startswith(AUTHENTICATE)

    answers = [client.post(AUTHENTICATE, {"code": wrong_code(ada)}) for _ in range(4)]
    fifth = client.post(AUTHENTICATE, {"code": wrong_code(ada)})

    assert all("Incorrect code" in answer.text for answer in answers)
    assert fifth.status_code == 429
    assert "Too many wrong codes" in fifth.text
    assert "Incorrect code" not in fifth.text
    # The pending sign-in is over: not even the right code finishes it now.
    right = client.post(AUTHENTICATE, {"code": totp_code(ada)})
    assert right.status_code == 302
    assert right["Location"] == "/login/"
    assert not signed_in(client)
    # The account is locked: the password and the right code again do not sign in.
    log_in(client, "ada")
    locked = client.post(AUTHENTICATE, {"code": totp_code(ada)})
    assert locked.status_code == 429
    assert "locked" in locked.text
    assert not signed_in(client)
    assert events("sign_in_failed", "ada").count("wrong second-factor code") == 5
    assert "second-factor code not checked: the account's codes are locked" in events(
        "sign_in_failed", "ada"
    )
    assert events("locked_out", "ada") == [
        "too many wrong second-factor codes; locked for 15 minutes"
    ]


def test_the_lock_ends_after_its_time_and_the_right_code_then_signs_in(client, ada):
    from accounts.models import SecondFactorLock

    log_in(client, "ada")
    for _ in range(5):
        client.post(AUTHENTICATE, {"code": wrong_code(ada)})
    SecondFactorLock.objects.filter(user__username="ada").update(
        until=SecondFactorLock.objects.get().until.replace(year=2000)
    )

    log_in(client, "ada")
    response = client.post(AUTHENTICATE, {"code": totp_code(ada)})

    assert response.status_code == 302
    assert signed_in(client)


def test_starting_new_sign_ins_does_not_reset_the_count(ada):
    """A thief with the password tries four codes per sign-in, from ever new addresses."""
    answers = []
    for attempt in range(3):
        thief = Client(REMOTE_ADDR=f"203.0.113.{attempt + 1}")
        log_in(thief, "ada")
        answers += [thief.post(AUTHENTICATE, {"code": wrong_code(ada)}) for _ in range(4)]

    statuses = [answer.status_code for answer in answers]
    assert statuses[:9] == [200] * 9
    assert statuses[9] == 429  # the tenth wrong code for the account locks it
    owner = Client()
    log_in(owner, "ada")
    assert owner.post(AUTHENTICATE, {"code": totp_code(ada)}).status_code == 429
    assert events("locked_out", "ada")


def test_recovery_codes_count_and_a_right_one_is_refused_while_locked(client, ada):
    log_in(client, "ada")
    client.post(AUTHENTICATE, {"code": totp_code(ada)})
    recovery = client.get("/accounts/2fa/recovery-codes/").context["unused_codes"][0]
    client.post("/logout/")

    log_in(client, "ada")
    answers = [client.post(AUTHENTICATE, {"code": f"wrong{n}xyz"}) for n in range(5)]
    log_in(client, "ada")
    refused = client.post(AUTHENTICATE, {"code": recovery})

    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 429]
    assert refused.status_code == 429
    assert not signed_in(client)
    assert not SecurityEvent.objects.filter(kind="recovery_code_used").exists()


def test_guessing_codes_to_reauthenticate_signs_the_session_out_and_locks(client, ada):
    log_in(client, "ada")
    client.post(AUTHENTICATE, {"code": totp_code(ada)})
    assert signed_in(client)

    answers = [client.post(REAUTHENTICATE, {"code": wrong_code(ada)}) for _ in range(5)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 429]
    assert "Too many wrong codes" in answers[-1].text
    assert not signed_in(client)
    log_in(client, "ada")
    assert client.post(AUTHENTICATE, {"code": totp_code(ada)}).status_code == 429
    assert events("locked_out", "ada")


# --- single sign-on: what the provider says ---


def test_userinfo_about_another_person_is_refused(client, sso):
    """The ID token is Maria's; the userinfo endpoint answers with the admin's subject."""
    admin = sso.add_user("ada", ["admins"])
    sign_in_with_sso(client, sso, "ada")
    client.post("/logout/")
    sso.add_user("maria", ["support"])
    sso.userinfo_overrides = {"sub": admin.sub, "preferred_username": "ada", "groups": ["admins"]}

    response = sign_in_with_sso(client, sso, "maria")

    assert response.status_code == 403
    assert "did not describe the same person" in response.text
    assert not signed_in(client)
    assert not User.objects.filter(username="maria").exists()
    refusal = SecurityEvent.objects.get(kind="sso_refused")
    assert "userinfo" in refusal.detail
    assert SecurityEvent.objects.filter(kind="sign_in").count() == 1  # ada's own, earlier


def test_groups_come_from_the_verified_id_token(client, sso):
    sso.add_user("maria", ["support"])
    sso.userinfo_overrides = {"groups": ["admins"]}

    sign_in_with_sso(client, sso, "maria")

    assert role_of(User.objects.get(username="maria")) == "support"


def test_an_hs256_id_token_is_refused_with_a_clear_page(client, sso):
    sso.add_user("maria", ["payments-managers"])
    sso.id_token_alg = "HS256"

    response = sign_in_with_sso(client, sso, "maria")

    assert response.status_code == 401
    assert "did not work" in response.text
    assert not signed_in(client)
    assert "HS256" in SecurityEvent.objects.get(kind="sso_failed").detail


def test_a_callback_after_the_provider_went_down_gets_a_clear_page(client, sso):
    sso.add_user("maria", ["payments-managers"])
    location = sso.approve(start_sso(client)["Location"], "maria")
    sso.stop()

    response = back_from_provider(client, location)

    assert response.status_code == 503
    assert "Company SSO did not answer" in response.text
    assert not signed_in(client)
    assert SecurityEvent.objects.filter(kind="sso_failed", detail__contains="unreachable").exists()


def test_a_provider_email_that_a_local_user_has_is_refused(client, sso, make_user):
    ada = make_user("admin", "ada")
    ada.email = "ada@natural.example"
    ada.save()
    sso.add_user("mallory", ["support"], email="ada@natural.example")

    response = sign_in_with_sso(client, sso, "mallory")
    form = client.get("/accounts/sso/signup/")
    posted = client.post("/accounts/sso/signup/", {"username": "mallory", "email": ada.email})

    assert response.status_code == 403
    assert "already belongs to a dashboard account" in response.text
    for page in (form, posted):
        assert page.status_code == 403
        assert "There is no sign-up form" in page.text
    assert not signed_in(client)
    assert not User.objects.filter(username="mallory").exists()
    assert not SocialAccount.objects.exists()
    refusals = SecurityEvent.objects.filter(kind="sso_refused").order_by("id")
    assert [event.detail for event in refusals] == [
        "the provider's email address is the one of dashboard account ada",
        "the single sign-on sign-up form is not offered (GET)",
        "the single sign-on sign-up form is not offered (POST)",
    ]


# --- single sign-on: linking an identity to an account ---


@pytest.mark.parametrize("process", ["connect", "redirect"])
def test_no_identity_can_be_linked_to_a_signed_in_account(client, sso, make_user, process):
    """A signed-in admin's session (left open, or forged into) asks to link a provider
    identity; a later single sign-on as that identity must not land in the admin's account."""
    ada = make_user("admin", "ada")
    client.force_login(ada)
    sso.add_user("mallory", ["support"])

    in_query = client.post(f"/accounts/sso/login/?process={process}")
    in_form = client.post("/accounts/sso/login/", {"process": process})

    for response in (in_query, in_form):
        assert response.status_code == 400
        assert "cannot be linked" in response.text
    assert sso.authorize_requests == []
    assert len(events("sso_refused", "ada")) == 2
    assert not SocialAccount.objects.exists()
    client.post("/logout/")
    sign_in_with_sso(client, sso, "mallory")
    assert User.objects.get(username="mallory").socialaccount_set.count() == 1
    assert client.get("/").context["user"].username == "mallory"


def test_allauth_account_pages_for_linking_are_not_routed(client, make_user):
    client.force_login(make_user("admin", "ada"))
    for path in ("/accounts/3rdparty/", "/accounts/social/connections/", "/accounts/email/"):
        assert client.get(path).status_code == 404, path


def test_a_callback_whose_stored_state_asks_to_link_is_refused(client, sso, make_user):
    """Even a sign-in state saying "connect" (left by an older version, say) links nothing."""
    ada = make_user("admin", "ada")
    client.force_login(ada)
    sso.add_user("mallory", ["support"])
    started = client.post("/accounts/sso/login/")
    session = client.session
    for state in session["socialaccount_states"].values():
        state[0]["process"] = "connect"
    session.save()

    response = back_from_provider(client, sso.approve(started["Location"], "mallory"))

    assert response.status_code == 400
    assert "cannot be linked" in response.text
    assert not SocialAccount.objects.exists()
    assert "in the callback" in SecurityEvent.objects.get(kind="sso_refused").detail


# --- error pages ---


def test_renewing_recovery_codes_asks_to_reauthenticate_under_the_demo_settings(
    client, ada, settings
):
    settings.DEBUG = True
    settings.PRODUCT_ERROR_PAGES = True
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    log_in(client, "ada")
    client.post(AUTHENTICATE, {"code": totp_code(ada)})

    response = client.get("/accounts/2fa/recovery-codes/generate/")

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path in ("/accounts/reauthenticate/", REAUTHENTICATE)
    assert client.get(response["Location"]).status_code == 200
