"""How allauth fits this dashboard: no self sign-up, and roles come from the provider's groups."""

from __future__ import annotations

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.signals import user_logged_in
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.dispatch import receiver
from django.http import HttpRequest
from django.shortcuts import render

from accounts.models import SecurityEvent
from accounts.role_map import parse_role_map, role_for_groups
from accounts.security_log import record
from accounts.sso.views import linking_refused
from dashboard.roles import ROLES, forget_role, role_of

User = get_user_model()
ENROLMENT_VIEWS = {"mfa_activate_totp", "mfa_view_recovery_codes", "mfa_download_recovery_codes"}


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": (
            "Please enter a correct username and password. "
            "Note that both fields may be case-sensitive."
        ),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Password accounts are made by an admin (`manage.py create_user`), never by sign-up."""
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Enrolling right after logging in needs no second password prompt; removing does."""
        request = context.request
        match = getattr(request, "resolver_match", None)
        if app == "allauth.mfa" and match and match.url_name in ENROLMENT_VIEWS:
            records = get_authentication_records(request, request.user)
            timeout = account_settings.REAUTHENTICATION_TIMEOUT
            if records and time.time() - records[-1]["at"] < timeout:
                return False
        return super().is_reauthentication_required(app=app, **kwargs)


def claimed_groups(sociallogin) -> object:
    """The groups claim, from the verified ID token, else from userinfo (some providers send it
    only there; its subject was checked to be the token's)."""
    claim = settings.OIDC_GROUPS_CLAIM
    data = sociallogin.account.extra_data or {}
    for source in ("id_token", "userinfo"):
        if claim in (data.get(source) or {}):
            return data[source][claim]
    return None


def refuse_a_taken_email(request: HttpRequest, sociallogin) -> None:
    """A new identity whose email a dashboard account already has is refused: it is never linked
    to that account (nothing links), and a second account with the address is not made."""
    emails = {address.email for address in sociallogin.email_addresses if address.email}
    if sociallogin.user.email:
        emails.add(sociallogin.user.email)
    holder = None
    for email in emails:
        holder = (
            User.objects.filter(email__iexact=email).first()
            or User.objects.filter(emailaddress__email__iexact=email).first()
        )
        if holder:
            break
    if holder is None:
        return
    record(
        SecurityEvent.Kind.SSO_REFUSED,
        username=sociallogin.user.get_username() or sociallogin.account.uid,
        request=request,
        detail=f"the provider's email address is the one of dashboard account {holder}",
    )
    raise ImmediateHttpResponse(
        render(
            request,
            "accounts/sso_email_taken.html",
            {"provider_name": settings.OIDC_PROVIDER_NAME},
            status=403,
        )
    )


class SingleSignOnAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        """The first sign-in through the provider creates the local user."""
        return True

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        process = sociallogin.state.get("process") or AuthProcess.LOGIN
        if process != AuthProcess.LOGIN:
            # The login view refuses these before the provider is asked; a state carrying one
            # anyway never links the identity to the signed-in account.
            raise ImmediateHttpResponse(
                linking_refused(request, f"process={str(process)[:40]!r} in the callback")
            )
        if not sociallogin.is_existing:
            refuse_a_taken_email(request, sociallogin)
        role = role_for_groups(claimed_groups(sociallogin), parse_role_map(settings.OIDC_ROLE_MAP))
        if role is not None:
            sociallogin.state["dashboard_role"] = role
            return
        username = sociallogin.user.get_username() or sociallogin.account.uid
        detail = "none of the person's groups is mapped to a role"
        previous = role_of(sociallogin.user) if sociallogin.is_existing else None
        if previous:
            # Removed from every mapped group at the provider: the local role goes too.
            sociallogin.user.groups.remove(*Group.objects.filter(name__in=ROLES))
            forget_role(sociallogin.user)
            detail += f"; {previous} role removed"
        record(SecurityEvent.Kind.SSO_REFUSED, username=username, request=request, detail=detail)
        raise ImmediateHttpResponse(
            render(
                request,
                "accounts/sso_refused.html",
                {"provider_name": settings.OIDC_PROVIDER_NAME},
                status=403,
            )
        )

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        reason = str(exception) if exception else str(error or "unknown error")
        record(SecurityEvent.Kind.SSO_FAILED, request=request, detail=reason)


def apply_role_from_provider(request: HttpRequest, user, role: str) -> None:
    """The provider is the source of truth: the user holds exactly the mapped role."""
    before = role_of(user)
    if before == role and user.groups.filter(name__in=ROLES).count() == 1:
        return
    user.groups.remove(*Group.objects.filter(name__in=ROLES))
    user.groups.add(Group.objects.get(name=role))
    forget_role(user)
    record(
        SecurityEvent.Kind.ROLE_CHANGED,
        username=user.get_username(),
        actor=settings.OIDC_PROVIDER_NAME,
        request=request,
        detail=f"{before or 'no role'} → {role}",
    )


@receiver(user_logged_in)
def _role_from_provider(sender, request, user, **kwargs) -> None:
    sociallogin = kwargs.get("sociallogin")
    role = sociallogin.state.get("dashboard_role") if sociallogin else None
    if role:
        apply_role_from_provider(request, user, role)
