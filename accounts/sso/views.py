"""Sign-in through the identity provider: the redirect out and the callback back in."""

from __future__ import annotations

import jwt
from allauth.account.internal.decorators import login_not_required
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri, get_request_param
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from requests import RequestException

from accounts.models import SecurityEvent
from accounts.security_log import record

PROVIDER_ID = "sso"
# ID tokens must be signed with one of the provider's published public keys.
SIGNING_ALGORITHMS = frozenset(
    ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
)


class CompanyAdapter(OpenIDConnectOAuth2Adapter):
    state: dict | None = None

    def __init__(self, request: HttpRequest, provider_id: str = PROVIDER_ID) -> None:
        super().__init__(request, provider_id)

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        """Who signs in is the verified ID token's subject. The userinfo answer only completes
        it, and only when it is about the same subject (OpenID Connect Core 5.3.2)."""
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("the provider sent no ID token")
        claims = self._decode_id_token(app, id_token)
        userinfo = self._fetch_user_info(token.token)
        if str(userinfo.get("sub")) != str(claims.get("sub")):
            raise ImmediateHttpResponse(subject_mismatch(request, claims, userinfo))
        data = {"id_token": claims, "userinfo": userinfo}
        return self.get_provider().sociallogin_from_response(request, data)

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        try:
            alg = jwt.get_unverified_header(id_token).get("alg")
        except jwt.PyJWTError as error:
            raise OAuth2Error("the ID token is not a signed JWT") from error
        if alg not in SIGNING_ALGORITHMS:
            # The header names the algorithm, the published key only the key: a token signed
            # with the client secret (HS256), or not at all, is never checked against it.
            raise OAuth2Error(
                f"the ID token is signed with {str(alg)[:20]}, not a published public key"
            )
        try:
            claims = jwtkit.verify_and_decode(
                credential=id_token,
                keys_url=self.openid_config["jwks_uri"],
                issuer=self.openid_config["issuer"],
                audience=app.client_id,
                lookup_kid=jwtkit.lookup_kid_jwk,
                verify_signature=True,
            )
        except (TypeError, ValueError, KeyError) as error:
            raise OAuth2Error(
                f"the ID token could not be verified ({type(error).__name__})"
            ) from error
        expected = (self.state or {}).get("nonce")
        if not expected or claims.get("nonce") != expected:
            raise OAuth2Error("the ID token's nonce does not match this sign-in")
        return claims

    def get_callback_url(self, request: HttpRequest, app) -> str:
        return build_absolute_uri(request, reverse("openid_connect_callback"))


class CompanyCallbackView(OAuth2CallbackView):
    def _get_state(self, request: HttpRequest, provider):
        state, response = super()._get_state(request, provider)
        self.adapter.state = state
        return state, response


@login_not_required
def login(request: HttpRequest) -> HttpResponse:
    if not settings.SSO_ENABLED:
        raise Http404("single sign-on is not configured")
    process = get_request_param(request, "process", AuthProcess.LOGIN)
    if process != AuthProcess.LOGIN:
        return linking_refused(request, f"process={process[:40]!r} asked of the sign-in")
    try:
        return OAuth2LoginView.adapter_view(CompanyAdapter(request))(request)
    except RequestException as error:
        return provider_unreachable(request, error)


@login_not_required
def callback(request: HttpRequest) -> HttpResponse:
    if not settings.SSO_ENABLED:
        raise Http404("single sign-on is not configured")
    try:
        return CompanyCallbackView.adapter_view(CompanyAdapter(request))(request)
    except RequestException as error:
        # The provider went down between sending the browser back and our reading its
        # discovery document or exchanging the code.
        return provider_unreachable(request, error)


def refusal_page(
    request: HttpRequest,
    template: str,
    *,
    status: int,
    detail: str,
    username: str = "",
    kind: str = SecurityEvent.Kind.SSO_REFUSED,
) -> HttpResponse:
    """A single sign-on that ends here: a line in the security log and a page that says why."""
    record(kind, username=username, request=request, detail=detail)
    context = {
        "provider_name": settings.OIDC_PROVIDER_NAME,
        "password_login_enabled": settings.PASSWORD_LOGIN_ENABLED,
    }
    return render(request, template, context, status=status)


@login_not_required
def signup_not_offered(request: HttpRequest) -> HttpResponse:
    """allauth's sign-up form for a single sign-on it could not complete alone: never offered
    here (the first sign-in creates the user, or is refused with its reason)."""
    request.session.pop("socialaccount_sociallogin", None)
    return refusal_page(
        request,
        "accounts/sso_signup_off.html",
        status=403,
        detail=f"the single sign-on sign-up form is not offered ({request.method})",
    )


def linking_refused(request: HttpRequest, detail: str) -> HttpResponse:
    """allauth can link a provider identity to the signed-in account (`process=connect`) or
    sign in without a session (`process=redirect`); this dashboard only signs people in."""
    user = request.user
    return refusal_page(
        request,
        "accounts/sso_no_linking.html",
        status=400,
        username=user.get_username() if user.is_authenticated else "",
        detail=f"linking an identity to an account is not offered: {detail}",
    )


def subject_mismatch(request: HttpRequest, claims: dict, userinfo: dict) -> HttpResponse:
    return refusal_page(
        request,
        "accounts/sso_mismatch.html",
        status=403,
        username=str(claims.get("preferred_username") or claims.get("sub") or ""),
        detail=(
            f"the userinfo answer is about subject {str(userinfo.get('sub'))[:60]!r}, "
            f"the verified ID token about {str(claims.get('sub'))[:60]!r}"
        ),
    )


def provider_unreachable(request: HttpRequest, error: Exception) -> HttpResponse:
    return refusal_page(
        request,
        "accounts/sso_unreachable.html",
        status=503,
        kind=SecurityEvent.Kind.SSO_FAILED,
        detail=f"identity provider unreachable ({type(error).__name__})",
    )
