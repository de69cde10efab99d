"""`manage.py sync_customers`: one pass of the customer index, for cron or a systemd timer."""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandError

from read_model import sync
from read_model.models import SyncRun

# EX_TEMPFAIL: another pass is running; the timer's next tick will try again.
ALREADY_RUNNING = 75


class Command(BaseCommand):
    help = (
        "Walk GET /customers to the end and bring the local customer search index up to "
        "date. Resumes an unfinished pass; refuses to run beside another one (exit 75)."
    )

    def handle(self, *args, **options):
        # A timer stopping us (SIGTERM) must leave the pass resumable, like Ctrl-C does.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        started = time.monotonic()
        try:
            run = sync.claim(started_by="sync_customers")
        except sync.SyncAlreadyRunning as refused:
            raise CommandError(str(refused), returncode=ALREADY_RUNNING) from None
        if run.pages:
            self.stdout.write(f"Resuming sync #{run.pk} after {run.pages} pages.")
        run = sync.run_pass(run)
        seconds = time.monotonic() - started
        if run.state != SyncRun.State.COMPLETE:
            raise CommandError(
                f"Sync #{run.pk} {run.state} after {run.pages} pages: {run.error}. "
                "Run the command again to resume."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Customer index up to date: {run.seen} customers, {run.removed} removed, "
                f"{run.pages} pages in {seconds:.1f} s (sync #{run.pk})."
            )
        )


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)
