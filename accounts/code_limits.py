"""Limits on guessing second-factor codes, at sign-in and when re-authenticating.

django-axes counts passwords only, and allauth's own counter for codes is the `login_failed`
limit this project turns off (`ACCOUNT_RATE_LIMITS`), so codes are counted here. A code counts
before it is checked: the attempt is written first and checked only while the count allows it,
so parallel requests cannot slip extra guesses through. Rows live in the database, which every
web process and host shares.

`MFA_CODE_FAILURE_LIMIT` wrong codes in one pending sign-in, or `MFA_CODE_USER_FAILURE_LIMIT`
for one user within `MFA_CODE_LOCK_MINUTES` (across sign-ins and addresses), end the sign-in
and lock the account's codes for `MFA_CODE_LOCK_MINUTES`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import SecondFactorFailure, SecondFactorLock, SecurityEvent
from accounts.security_log import record


def locked_until(user) -> datetime | None:
    """When the account's lock ends, or None when its codes may be tried."""
    lock = SecondFactorLock.objects.filter(user=user, until__gt=timezone.now()).first()
    return lock.until if lock else None


def pending_sign_in(login) -> str:
    """Names one pending sign-in (allauth's stashed login): a new password step starts another."""
    return f"sign-in {login.initiated_at!r}"


def signed_in_session(request: HttpRequest) -> str:
    """Names a signed-in session re-authenticating, without storing its key."""
    key = request.session.session_key or ""
    return "session " + hashlib.sha256(key.encode()).hexdigest()[:32]


class CodeAttempt:
    """One code typed by `user` in `sign_in`: `begin()` before checking it, then one of
    `succeeded()`, `not_checked()` or `failed()`."""

    def __init__(self, request: HttpRequest, user, sign_in: str) -> None:
        self.request = request
        self.user = user
        self.sign_in = sign_in
        self.row: SecondFactorFailure | None = None

    def begin(self) -> bool:
        """False when the account is locked or the limits are spent: the code is not checked."""
        if locked_until(self.user):
            record(
                SecurityEvent.Kind.SIGN_IN_FAILED,
                username=self.user.get_username(),
                request=self.request,
                detail="second-factor code not checked: the account's codes are locked",
            )
            return False
        self.row = SecondFactorFailure.objects.create(user=self.user, sign_in=self.sign_in)
        if self._over(strictly=True):
            self.row.delete()
            self._lock()
            return False
        return True

    def succeeded(self) -> None:
        """The right code: the user's count starts again, as axes does for passwords."""
        SecondFactorFailure.objects.filter(user=self.user).delete()

    def not_checked(self) -> None:
        """The form was refused before any code was compared (an empty field)."""
        if self.row is not None:
            self.row.delete()

    def failed(self) -> bool:
        """A wrong code, counted; True when it spent a limit and the account is now locked."""
        if self._over(strictly=False):
            self._lock()
            return True
        return False

    def _over(self, *, strictly: bool) -> bool:
        window_start = timezone.now() - timedelta(minutes=settings.MFA_CODE_LOCK_MINUTES)
        failures = SecondFactorFailure.objects.filter(user=self.user)
        in_sign_in = failures.filter(sign_in=self.sign_in).count()
        recent = failures.filter(at__gte=window_start).count()
        if strictly:
            return (
                in_sign_in > settings.MFA_CODE_FAILURE_LIMIT
                or recent > settings.MFA_CODE_USER_FAILURE_LIMIT
            )
        return (
            in_sign_in >= settings.MFA_CODE_FAILURE_LIMIT
            or recent >= settings.MFA_CODE_USER_FAILURE_LIMIT
        )

    def _lock(self) -> None:
        minutes = settings.MFA_CODE_LOCK_MINUTES
        until = timezone.now() + timedelta(minutes=minutes)
        if _lock_once(self.user, until):
            record(
                SecurityEvent.Kind.LOCKED_OUT,
                username=self.user.get_username(),
                request=self.request,
                detail=f"too many wrong second-factor codes; locked for {minutes} minutes",
            )
        # The count starts again when the lock ends.
        SecondFactorFailure.objects.filter(user=self.user).delete()


def _lock_once(user, until: datetime) -> bool:
    """Locks the account unless it is already locked; True when this call locked it."""
    now = timezone.now()
    if SecondFactorLock.objects.filter(user=user, until__gt=now).exists():
        return False
    changed = SecondFactorLock.objects.filter(user=user, until__lte=now).update(until=until)
    if not changed:
        _, created = SecondFactorLock.objects.get_or_create(user=user, defaults={"until": until})
        return created
    return True
