"""`manage.py sync_index`: one pass over each list of the read model, for cron or a timer."""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connections

from read_model import sync
from read_model.models import SyncRun
from read_model.resources import RESOURCES

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
        parser.add_argument(
            "--revocations",
            action="store_true",
            help=(
                "walk the active agent delegations to the end and mark revoked what they no "
                "longer list (every 4 minutes keeps a revocation within 5 without webhooks)"
            ),
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="how many lists to sync at once (default 1; 4 syncs all four together)",
        )

    def handle(self, *args, resources, quick, revocations, jobs, **options):
        unknown = [name for name in resources if name not in RESOURCES]
        if unknown:
            raise CommandError(
                f"Unknown resource {', '.join(unknown)}: choose from {', '.join(RESOURCES)}."
            )
        if jobs < 1:
            raise CommandError("--jobs must be 1 or more.")
        mode = SyncRun.Mode.QUICK if quick else SyncRun.Mode.FULL
        names = list(dict.fromkeys(resources or ([] if revocations else RESOURCES)))
        if revocations:
            if quick or set(names) - {SyncRun.Resource.AGENT_DELEGATIONS}:
                raise CommandError(
                    "--revocations checks agent_delegations only, and cannot be --quick."
                )
            mode, names = SyncRun.Mode.CHECK, [SyncRun.Resource.AGENT_DELEGATIONS]
        stop = threading.Event()
        # A timer stopping us (SIGTERM) must leave each pass resumable, like Ctrl-C does.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        if jobs == 1:
            outcomes = [one_pass(name, mode, stop) for name in names]
        else:
            outcomes = in_parallel(names, mode, stop, jobs)
        for outcome in outcomes:
            (self.stderr if outcome.problem else self.stdout).write(outcome.line)
        failed = [o.name for o in outcomes if o.problem == "failed"]
        refused = [o.name for o in outcomes if o.problem == "refused"]
        if failed:
            raise CommandError(
                f"Not up to date: {', '.join(failed)}. Run the command again to resume."
            )
        if refused:
            raise CommandError(
                f"Already running: {', '.join(refused)}.", returncode=ALREADY_RUNNING
            )


@dataclass
class Outcome:
    name: str
    line: str
    problem: str = ""


def one_pass(name: str, mode: str, stop: threading.Event) -> Outcome:
    started = time.monotonic()
    try:
        run = sync.claim(resource=name, mode=mode, started_by="sync_index")
    except sync.SyncAlreadyRunning as error:
        return Outcome(name, str(error), "refused")
    resumed = f" (resumed after {run.pages} pages)" if run.pages else ""
    run = sync.run_pass(run, stop=stop)
    seconds = time.monotonic() - started
    if run.state != SyncRun.State.COMPLETE:
        return Outcome(
            name,
            f"{name}: sync #{run.pk} {run.state} after {run.pages} pages: {run.error}.",
            "failed",
        )
    return Outcome(
        name,
        f"{name}: {mode} pass saw {run.seen} rows, removed {run.removed}, "
        f"{run.pages} pages in {seconds:.1f} s (sync #{run.pk}){resumed}.",
    )


def in_parallel(names: list[str], mode: str, stop: threading.Event, jobs: int) -> list[Outcome]:
    """Each list in its own thread and database connection; the lists are independent, and
    Natural's time for one overlaps our work on another."""
    outcomes: dict[str, Outcome] = {}
    waiting = list(names)
    lock = threading.Lock()

    def worker() -> None:
        close_old_connections()
        try:
            while True:
                with lock:
                    if not waiting or stop.is_set():
                        return
                    name = waiting.pop(0)
                try:
                    outcomes[name] = one_pass(name, mode, stop)
                except sync.SyncStopped:
                    outcomes[name] = Outcome(name, f"{name}: stopped; resumes next time.", "failed")
                except sync.SyncLost:
                    outcomes[name] = Outcome(
                        name, f"{name}: taken over by another worker.", "failed"
                    )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(min(jobs, len(names)))]
    for thread in threads:
        thread.start()
    try:
        while any(thread.is_alive() for thread in threads):
            for thread in threads:
                thread.join(timeout=0.5)
    except BaseException:
        stop.set()  # each pass stops after the page it is storing, marked interrupted
        for thread in threads:
            thread.join()
        raise
    return [outcomes[name] for name in names if name in outcomes]


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)
