"""A wrong API token is an operator's problem, and every page says so in the same words."""

from __future__ import annotations

import html

import httpx
import pytest

from tests.fixtures.natural import fake_natural

# Read as a person reads it: Django and the table region escape an apostrophe differently.
REFUSED = "Natural refused the dashboard's API credentials"
CONTRADICTIONS = ("did not answer", "not answering", "NaturalCredentialsRefused")

PAGES = [
    "/",
    "/?card=health",
    "/?card=invitations",
    "/?card=delegations",
    "/?card=expiring",
    "/customers/",
    "/customers/pty_" + "a" * 32 + "/",
    "/invitations/",
    "/invitations/delegation/",
    "/delegations/",
    "/delegations/adl_" + "b" * 32 + "/",
    "/delegations/review/",
    "/invitations/new/",
    "/delegation-invitations/new/",
]


def _unauthorized(request: httpx.Request) -> httpx.Response:
    body = {"errors": [{"code": "unauthenticated", "detail": "Invalid API key.", "status": "401"}]}
    return httpx.Response(401, json=body)


@pytest.fixture
def wrong_token(db, settings):
    with fake_natural(settings, "http://natural.refusing", httpx.MockTransport(_unauthorized)):
        yield


@pytest.mark.parametrize("url", PAGES)
def test_a_wrong_token_reads_the_same_on_every_page(admin_client, wrong_token, url):
    response = admin_client.get(url)
    text = html.unescape(response.content.decode())

    assert response.status_code in (200, 503), (url, response.status_code)
    if url in ("/invitations/new/", "/delegation-invitations/new/", "/", "/delegations/review/"):
        # Pages that can still be used (or that load their cards later, or read the local read
        # model) need not call Natural.
        assert not any(phrase in text for phrase in CONTRADICTIONS), url
        return
    assert REFUSED in text, url
    assert not any(phrase in text for phrase in CONTRADICTIONS), url


def test_the_table_partial_says_refused_too(admin_client, wrong_token):
    response = admin_client.get(
        "/delegations/", headers={"HX-Request": "true", "HX-Target": "delegations-table"}
    )

    assert REFUSED in html.unescape(response.content.decode())
    assert "not answering" not in response.content.decode()
