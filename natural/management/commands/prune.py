"""`manage.py prune`: delete Natural request log rows and webhook deliveries older than the
retention period."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models
from django.utils import timezone

from natural.models import ApiCall, WebhookDelivery

DEFAULT_DAYS = 30
BATCH = 5000


def prune(model: type[models.Model], field: str, cutoff) -> int:
    """In batches, so a long-unpruned table never holds one huge delete transaction."""
    removed = 0
    while True:
        older = model.objects.filter(**{f"{field}__lt": cutoff})
        ids = list(older.values_list("id", flat=True)[:BATCH])
        if not ids:
            return removed
        removed += model.objects.filter(id__in=ids).delete()[0]


class Command(BaseCommand):
    help = "Delete Natural request log rows and webhook deliveries older than --days (default 30)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS)

    def handle(self, *args, days: int, **options) -> None:
        if days < 1:
            raise CommandError("--days must be 1 or more.")
        cutoff = timezone.now() - timedelta(days=days)
        calls = prune(ApiCall, "created_at", cutoff)
        deliveries = prune(WebhookDelivery, "received_at", cutoff)
        self.stdout.write(f"Removed {calls} Natural request log row(s) older than {days} days.")
        self.stdout.write(f"Removed {deliveries} webhook deliveries older than {days} days.")
