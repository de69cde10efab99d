"""Local state of the service module: the log of every call made to Natural."""

from __future__ import annotations

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
