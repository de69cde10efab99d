"""allauth's provider settings for the company's identity provider (no Django imports here)."""

from __future__ import annotations

from urllib.parse import urlsplit


def provider_settings(
    *, issuer: str, client_id: str, secret: str, name: str, scopes: list[str]
) -> dict:
    return {
        "openid_connect": {
            "provider_class": "accounts.sso.provider.CompanyProvider",
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": name,
                    "client_id": client_id,
                    "secret": secret,
                    "settings": {
                        "server_url": issuer,
                        "oauth_pkce_enabled": True,
                        "token_auth_method": "client_secret_post",
                        "scope": scopes,
                    },
                }
            ]
            if issuer
            else [],
        }
    }


def issuer_origin(issuer: str) -> str:
    """The scheme and host of the provider, for CSP `form-action`: pressing "Sign in with …"
    posts to the dashboard, whose redirect to the provider the browser checks against it."""
    parts = urlsplit(issuer)
    return f"{parts.scheme}://{parts.netloc}"
