"""Writes the security log: every sign-in, failure, lockout and change to how someone signs in."""

from __future__ import annotations

from allauth.account.signals import user_logged_in
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import SecurityEvent

Kind = SecurityEvent.Kind
FACTOR_NAMES = {
    Authenticator.Type.TOTP: "authenticator app",
    Authenticator.Type.RECOVERY_CODES: "recovery codes",
}


def record(
    kind: str,
    *,
    username: str = "",
    actor: str = "",
    request: HttpRequest | None = None,
    detail: str = "",
) -> SecurityEvent:
    address = get_client_ip_address(request) if request is not None else None
    return SecurityEvent.objects.create(
        kind=kind,
        username=username[:150],
        actor=(actor or username)[:150],
        ip_address=address or None,
        detail=detail[:300],
    )


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs) -> None:
    sociallogin = kwargs.get("sociallogin")
    how = f"single sign-on ({sociallogin.provider.name})" if sociallogin else "password"
    record(Kind.SIGN_IN, username=user.get_username(), request=request, detail=how)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or "")
    record(Kind.SIGN_IN_FAILED, username=username, request=request, detail="wrong password")


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    record(
        Kind.LOCKED_OUT,
        username=username or "",
        request=request,
        detail="too many failed sign-ins",
    )


def _model(authenticator) -> Authenticator:
    """The signals carry either the model row or allauth's wrapper around it."""
    return getattr(authenticator, "instance", authenticator)


@receiver(mfa_signals.authenticator_added)
def _factor_added(sender, request, user, authenticator, **kwargs) -> None:
    authenticator = _model(authenticator)
    if authenticator.type != Authenticator.Type.TOTP:
        return
    record(
        Kind.FACTOR_ENROLLED,
        username=user.get_username(),
        request=request,
        detail=FACTOR_NAMES.get(authenticator.type, authenticator.type),
    )


@receiver(mfa_signals.authenticator_removed)
def _factor_removed(sender, request, user, authenticator, **kwargs) -> None:
    authenticator = _model(authenticator)
    record(
        Kind.FACTOR_REMOVED,
        username=user.get_username(),
        request=request,
        detail=FACTOR_NAMES.get(authenticator.type, authenticator.type),
    )


@receiver(mfa_signals.authenticator_reset)
def _codes_renewed(sender, request, user, authenticator, **kwargs) -> None:
    record(Kind.RECOVERY_CODES_RENEWED, username=user.get_username(), request=request)


@receiver(mfa_signals.authenticator_used)
def _factor_used(sender, request, user, authenticator, **kwargs) -> None:
    if _model(authenticator).type == Authenticator.Type.RECOVERY_CODES:
        record(Kind.RECOVERY_CODES_USED, username=user.get_username(), request=request)


@receiver(mfa_signals.authentication_failed)
def _code_refused(sender, request, user, authenticator, **kwargs) -> None:
    record(
        Kind.SIGN_IN_FAILED,
        username=user.get_username(),
        request=request,
        detail="wrong second-factor code",
    )
