from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SecurityEvent(models.Model):
    """One sign-in related event: who it was about, who did it, and from which address."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        LOCKED_OUT = "locked_out", "Locked out"
        SSO_REFUSED = "sso_refused", "Single sign-on refused"
        SSO_FAILED = "sso_failed", "Single sign-on failed"
        ROLE_CHANGED = "role_changed", "Role changed by the identity provider"
        FACTOR_ENROLLED = "factor_enrolled", "Second factor enrolled"
        FACTOR_REMOVED = "factor_removed", "Second factor removed"
        RECOVERY_CODES_USED = "recovery_code_used", "Recovery code used"
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", "Recovery codes renewed"
        FACTOR_RESET = "factor_reset", "Second factor reset by an admin"
        WEBHOOK_REFUSED = "webhook_refused", "Webhook delivery refused"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=32, choices=Kind.choices, db_index=True)
    username = models.CharField(max_length=150, blank=True, db_index=True)
    actor = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"


class SecondFactorFailure(models.Model):
    """One wrong second-factor code (authenticator app or recovery code).

    Counted per pending sign-in and per user; kept in the database so the limits hold across
    every web process and host. A right code clears the user's rows.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sign_in = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "sign_in"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} wrong code for user {self.user_id}"


class SecondFactorLock(models.Model):
    """An account whose codes are refused until `until`, after too many wrong ones."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    until = models.DateTimeField()

    def __str__(self) -> str:
        return f"user {self.user_id} locked until {self.until:%Y-%m-%d %H:%M:%S}"
