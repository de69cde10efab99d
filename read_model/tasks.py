"""The read model's work as tasks (`django.tasks`): the workers run them, on the schedule or
when asked.

- Passes: a page that wants fresher rows claims a pass (so "already running" is known at once
  and the progress row exists), hands it to a worker with `launch`, and shows its progress; it
  never walks Natural's lists itself. The database refuses a second running pass of the same
  list and kind, so a pass enqueued twice, or by two hosts, runs once.
- process_delivery: one verified webhook delivery, turned into the smallest sync for the
  resource its event names (events.py), its outcome written on the delivery.
- check_revocations: the active agent delegations walked to the end; what they no longer list
  turns Revoked. Scheduled every REVOCATION_CHECK_MINUTES so a revocation shows within
  5 minutes even without webhooks.
"""

from __future__ import annotations

import logging

from django.tasks import task

from natural import webhooks
from natural.errors import NaturalError
from natural.models import WebhookDelivery
from read_model import events, sync
from read_model.models import SyncRun
from read_model.resources import CUSTOMERS, RESOURCES

logger = logging.getLogger(__name__)

REVOCATION_CHECK_MINUTES = 4


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


@task
def process_delivery(delivery_id: int) -> str:
    """Apply one received delivery; returns the state it ended in."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"  # pruned before a worker reached it
    if delivery.state != WebhookDelivery.State.RECEIVED:
        return delivery.state  # a worker already did it
    try:
        outcome = events.apply(delivery.event_type, delivery.resource_type, delivery.resource_id)
    except NaturalError as error:
        webhooks.finish(delivery, WebhookDelivery.State.FAILED, f"Natural: {error.message}")
        logger.warning("webhook %s not applied: %s", delivery.webhook_id, error)
        return WebhookDelivery.State.FAILED
    webhooks.finish(delivery, outcome.state, outcome.reason)
    return outcome.state


@task
def check_revocations(started_by: str = "") -> str:
    """Walk the active agent delegations to the end and mark revoked what they no longer list.
    Returns the run's state (`already running` when another check holds the list)."""
    try:
        run = sync.sync(
            SyncRun.Resource.AGENT_DELEGATIONS, mode=SyncRun.Mode.CHECK, started_by=started_by
        )
    except sync.SyncAlreadyRunning:
        return "already running"
    return run.state
