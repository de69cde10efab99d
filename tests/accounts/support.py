"""Helpers the sign-in tests share: single sign-on through the loopback provider, password logins,
second-factor enrolment and TOTP codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from urllib.parse import urlsplit

from tests.fixtures.users import PASSWORD

ACTIVATE = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"


def start_sso(client, next_url: str | None = None):
    """Press "Sign in with …" on the login page: the dashboard sends the browser to the provider."""
    data = {"next": next_url} if next_url else {}
    return client.post("/accounts/sso/login/", data)


def back_from_provider(client, location: str):
    """Follow the provider's redirect back to the dashboard's callback."""
    url = urlsplit(location)
    return client.get(f"{url.path}?{url.query}")


def sign_in_with_sso(client, provider, username: str, next_url: str | None = None):
    started = start_sso(client, next_url)
    assert started.status_code == 302, started.content[:500]
    assert started["Location"].startswith(provider.issuer + "/authorize?")
    return back_from_provider(client, provider.approve(started["Location"], username))


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238 with the authenticator-app defaults (SHA-1, 30 s, 6 digits)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def wrong_code(secret: str) -> str:
    """Six digits the authenticator app does not show now, nor one step either side."""
    now = time.time()
    accepted = {totp_code(secret, now + step) for step in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def log_in(client, username: str):
    """The password step of the login form."""
    return client.post("/login/", {"username": username, "password": PASSWORD})


def enrol(client) -> str:
    """Scan the QR code (read the secret) and confirm with a code; returns the secret."""
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302, response.context["form"].errors
    return secret
