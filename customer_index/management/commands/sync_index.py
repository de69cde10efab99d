"""`manage.py sync_index`: one pass over each list of the read model, for cron or a timer."""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandError

from customer_index import sync
from customer_index.models import SyncRun
from customer_index.resources import RESOURCES

# EX_TEMPFAIL: another pass is running; the timer's next tick will try again.
ALREADY_RUNNING = 75


class Command(BaseCommand):
    help = (
        "Bring the local read model up to date with Natural: a full pass walks every list to "
        "the end (resuming an unfinished one) and removes what Natural no longer lists; "
        "--quick reads only the newest pages. A resource whose pass of the same kind is "
        "already running is skipped (exit 75 once the others are done)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "resources",
            nargs="*",
            metavar="resource",
            help=f"which lists (default: all): {', '.join(RESOURCES)}",
        )
        parser.add_argument(
            "--quick", action="store_true", help=f"only the newest {sync.QUICK_PAGES} pages"
        )

    def handle(self, *args, resources, quick, **options):
        # A timer stopping us (SIGTERM) must leave the pass resumable, like Ctrl-C does.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        unknown = [name for name in resources if name not in RESOURCES]
        if unknown:
            raise CommandError(
                f"Unknown resource {', '.join(unknown)}: choose from {', '.join(RESOURCES)}."
            )
        mode = SyncRun.Mode.QUICK if quick else SyncRun.Mode.FULL
        refused, failed = [], []
        for name in resources or RESOURCES:
            started = time.monotonic()
            try:
                run = sync.claim(resource=name, mode=mode, started_by="sync_index")
            except sync.SyncAlreadyRunning as error:
                self.stderr.write(str(error))
                refused.append(name)
                continue
            if run.pages:
                self.stdout.write(f"Resuming {name} sync #{run.pk} after {run.pages} pages.")
            run = sync.run_pass(run)
            seconds = time.monotonic() - started
            if run.state != SyncRun.State.COMPLETE:
                self.stderr.write(
                    f"{name}: sync #{run.pk} {run.state} after {run.pages} pages: {run.error}."
                )
                failed.append(name)
                continue
            self.stdout.write(
                self.style.SUCCESS(
                    f"{name}: {mode} pass saw {run.seen} rows, removed {run.removed}, "
                    f"{run.pages} pages in {seconds:.1f} s (sync #{run.pk})."
                )
            )
        if failed:
            raise CommandError(
                f"Not up to date: {', '.join(failed)}. Run the command again to resume."
            )
        if refused:
            raise CommandError(
                f"Already running: {', '.join(refused)}.", returncode=ALREADY_RUNNING
            )


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)
