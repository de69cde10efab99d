"""Nobody reaches a page without logging in, and each role sees what its permissions allow."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {"login", "healthz", "readyz"}
# Authenticated by a signature, not a session: answers POST only (tests/natural/).
BY_SIGNATURE = {"natural-webhook"}
# Steps of signing in (second factor, single sign-on): public by nature; each one without a
# sign-in under way answers with a page or a redirect, never an error.
SIGN_IN_STEPS = {
    "account_login",
    "account_inactive",
    "mfa_authenticate",
    "openid_connect_login",
    "openid_connect_callback",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    "socialaccount_signup",
}
SAMPLE_ARGUMENTS = {
    "int": "1",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield pattern.name, route


def _sample_path(route: str) -> str:
    def fill(match: re.Match) -> str:
        converter = match.group(1) or "str"
        return SAMPLE_ARGUMENTS.get(converter, "pty_" + "0" * 32)

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route).lstrip("^").rstrip("$")


def all_routes():
    return sorted(set(_walk(get_resolver().url_patterns)))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), all_routes())
def test_every_page_needs_login(client, name, route):
    path = _sample_path(route)
    response = client.get(path)
    if name in PUBLIC:
        assert response.status_code in (200, 503)
        return
    if name in BY_SIGNATURE:
        assert response.status_code == 405, path
        return
    if name in SIGN_IN_STEPS:
        assert response.status_code < 500, path
        return
    assert response.status_code == 302, path
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), all_routes())
def test_htmx_requests_without_login_get_401_and_a_redirect_header(client, name, route):
    if name in PUBLIC | SIGN_IN_STEPS | BY_SIGNATURE:
        pytest.skip("public page")
    response = client.get(_sample_path(route), headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Redirect"].startswith("/login/?next=")


@pytest.mark.django_db
def test_each_role_reaches_the_overview_with_its_role_shown(client, make_user, any_role):
    client.force_login(make_user(any_role))
    response = client.get("/")
    assert response.status_code == 200
    assert f'class="role-pill role-{any_role}"' in response.text


@pytest.mark.django_db
def test_navigation_hides_the_audit_log_from_support(client, make_user):
    client.force_login(make_user("support"))
    page = client.get("/").text
    assert 'href="/customers/"' in page
    assert 'href="/audit/"' not in page


@pytest.mark.django_db
def test_a_user_without_a_role_sees_no_sections(client, make_user):
    client.force_login(make_user(None))
    page = client.get("/").text
    assert 'href="/customers/"' not in page
