"""The read model's work as Django tasks (`django.tasks`): run inline by the default immediate
backend, or by the task queue's workers once TASKS names one.

- process_delivery: one verified webhook delivery, turned into the smallest sync for the
  resource its event names (events.py), its outcome written on the delivery.
- check_revocations: the active agent delegations walked to the end; what they no longer list
  turns Revoked. Scheduled every REVOCATION_CHECK_MINUTES so a revocation shows within
  5 minutes even without webhooks (`manage.py sync_index --revocations` on a timer).
"""

from __future__ import annotations

import logging

from django.tasks import task

from natural import webhooks
from natural.errors import NaturalError
from natural.models import WebhookDelivery
from read_model import events, sync
from read_model.models import SyncRun

logger = logging.getLogger(__name__)

REVOCATION_CHECK_MINUTES = 4


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
