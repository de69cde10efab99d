"""The read model's passes as tasks: the workers run them, on the schedule or when asked.

A page that wants fresher rows claims a pass (so "already running" is known at once and the
progress row exists), hands it to a worker with `launch`, and shows its progress; it never walks
Natural's lists itself. The database refuses a second running pass of the same list and kind,
so a pass enqueued twice, or by two hosts, runs once.
"""

from __future__ import annotations

import logging

from django.tasks import task

from read_model import sync
from read_model.models import SyncRun
from read_model.resources import CUSTOMERS, RESOURCES

logger = logging.getLogger(__name__)


@task
def run_claimed_pass(run_id: int, owner: str) -> str:
    """Walk a pass claimed by the page that asked for it; nothing if another owner has it."""
    run = SyncRun.objects.filter(pk=run_id, owner=owner).first()
    if run is None or run.state != SyncRun.State.RUNNING:
        return "taken over"
    try:
        return sync.run_pass(run).state
    except sync.SyncLost:
        return "taken over"


@task
def sync_all(mode: str = SyncRun.Mode.FULL, started_by: str = "schedule") -> dict[str, str]:
    """One pass of each list, one after the other: the schedule's quick and full passes."""
    outcomes = {}
    for resource in RESOURCES:
        try:
            run = sync.claim(resource=resource, mode=mode, started_by=started_by)
        except sync.SyncAlreadyRunning:
            outcomes[resource] = "already running"
            continue
        try:
            outcomes[resource] = sync.run_pass(run).state
        except sync.SyncLost:
            outcomes[resource] = "taken over"
    return outcomes


def launch(run: SyncRun) -> SyncRun:
    """Hand a claimed pass to a worker; returns it as it stands after the hand-over."""
    run_claimed_pass.enqueue(run.pk, str(run.owner))
    run.refresh_from_db()
    return run


def start(
    resource: str = CUSTOMERS.name, *, mode: str = SyncRun.Mode.FULL, started_by: str = ""
) -> SyncRun:
    """Claim a pass now and queue it for a worker. Raises sync.SyncAlreadyRunning."""
    return launch(sync.claim(resource=resource, mode=mode, started_by=started_by))
