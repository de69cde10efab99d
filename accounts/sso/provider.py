"""The company's identity provider: allauth's OpenID Connect provider with the checks it leaves out.

allauth skips the ID token's signature when the token came straight from the token endpoint and
never sends a nonce; this provider sends a nonce with every sign-in and checks both.
"""

from __future__ import annotations

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.http import urlencode

from accounts.sso.views import CompanyAdapter


class CompanyProvider(OpenIDConnectProvider):
    package = "accounts.sso"
    oauth2_adapter_class = CompanyAdapter

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, **kwargs):
        nonce = get_random_string(32)
        auth_params = kwargs.pop("auth_params", None) or self.get_auth_params()
        auth_params["nonce"] = nonce
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )

    def get_login_url(self, request: HttpRequest, **kwargs) -> str:
        url = reverse("openid_connect_login")
        return f"{url}?{urlencode(kwargs)}" if kwargs else url

    def get_callback_url(self) -> str:
        return reverse("openid_connect_callback")
