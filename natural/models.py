"""Local state of the Natural integration: the log of every call made to Natural, and of every
webhook delivery Natural made to us."""

from __future__ import annotations

from datetime import timedelta

from django.db import models


class ApiCall(models.Model):
    """One HTTP attempt to Natural, as the Natural requests page shows it (never the token or
    headers). Written by delegations/call_log.py, removed after 30 days by `manage.py prune`."""

    method = models.CharField(max_length=8)
    # The path only: query strings can carry customer emails, which the log does not need.
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    attempt = models.PositiveSmallIntegerField(default=1)
    idempotency_key = models.CharField(max_length=255, blank=True, default="", db_index=True)
    replayed = models.BooleanField(default=False)
    support_id = models.CharField(max_length=100, blank=True, default="")
    error = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "Natural API call"

    def __str__(self) -> str:
        outcome = self.status if self.status is not None else self.error or "no answer"
        return f"{self.method} {self.path} -> {outcome} (attempt {self.attempt})"


class Pace(models.Model):
    """The one pace every batch sender keeps with Natural: all of them share one credential,
    so they share its rate limit (natural/pace.py)."""

    name = models.CharField(max_length=40, unique=True)
    # Requests per second, learned from X-RateLimit-Limit (or set by NATURAL_API_RATE_LIMIT).
    rate = models.FloatField(null=True, blank=True)
    # The next free moment to send; each sender takes one and moves it on by 1 / rate.
    next_at = models.DateTimeField(null=True, blank=True)
    # After a 429, nobody sends before this (Retry-After).
    paused_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"pace {self.name}: {self.rate or 'no'} requests/s"


class WebhookDelivery(models.Model):
    """One delivery of a Natural webhook: verified and kept (processed, ignored or failed), or
    refused and why. A verified event id is stored once; its repeats only count. Removed after
    30 days by `manage.py prune`."""

    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"
        FAILED = "failed", "Failed"
        REFUSED = "refused", "Refused"

    received_at = models.DateTimeField(db_index=True)
    state = models.CharField(max_length=12, choices=State, default=State.RECEIVED)
    # Why it was refused, ignored or failed; empty when processed.
    reason = models.CharField(max_length=300, blank=True, default="")
    # The `webhook-id` header: the event id (`evt_...`). For a refused delivery, whatever the
    # sender claimed (cut short).
    webhook_id = models.CharField(max_length=100, blank=True, default="")
    event_type = models.CharField(max_length=100, blank=True, default="")
    resource_type = models.CharField(max_length=60, blank=True, default="")
    resource_id = models.CharField(max_length=100, blank=True, default="")
    # When Natural says the event happened (`createdAt`) and signed this attempt
    # (`webhook-timestamp`).
    event_created_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Later deliveries of the same verified event id (answered 200, not processed again).
    repeats = models.PositiveIntegerField(default=0)
    last_repeat_at = models.DateTimeField(null=True, blank=True)
    # The verified envelope as sent; never kept for a refused delivery.
    payload = models.JSONField(null=True, blank=True)
    remote_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook_id"],
                condition=~models.Q(state="refused"),
                name="delegations_webhook_event_once",
            )
        ]
        indexes = [models.Index(fields=["state", "-received_at"], name="delegations_webhook_state")]

    def __str__(self) -> str:
        return f"{self.webhook_id or 'delivery'} {self.event_type} {self.state}"

    @property
    def lag(self):
        """How long after the event Natural reported the read model had it (processed only)."""
        if self.processed_at is None or self.event_created_at is None:
            return None
        return max(self.processed_at - self.event_created_at, timedelta(0))
