"""`manage.py prune`: delete Natural request log rows older than the retention period."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from natural.models import ApiCall

DEFAULT_DAYS = 30
BATCH = 5000


class Command(BaseCommand):
    help = "Delete Natural request log rows older than --days (default 30)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS)

    def handle(self, *args, days: int, **options) -> None:
        if days < 1:
            raise CommandError("--days must be 1 or more.")
        cutoff = timezone.now() - timedelta(days=days)
        removed = 0
        # In batches, so a long-unpruned table never holds one huge delete transaction.
        while True:
            ids = list(
                ApiCall.objects.filter(created_at__lt=cutoff).values_list("id", flat=True)[:BATCH]
            )
            if not ids:
                break
            removed += ApiCall.objects.filter(id__in=ids).delete()[0]
        self.stdout.write(f"Removed {removed} Natural request log row(s) older than {days} days.")
