"""The Webhooks tab: deliveries, their outcome, and how far behind Natural the tables are."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from natural.models import WebhookDelivery


def test_the_tab_shows_deliveries_their_outcome_and_the_lag(db, settings, manager_client):
    settings.NATURAL_WEBHOOK_SECRETS = ["whsec_" + "A" * 43]
    now = timezone.now()
    WebhookDelivery.objects.create(
        received_at=now,
        state="processed",
        webhook_id="evt_" + "1" * 32,
        event_type="party.updated",
        resource_id="pty_" + "2" * 32,
        event_created_at=now - timedelta(seconds=2),
        processed_at=now,
    )
    WebhookDelivery.objects.create(
        received_at=now, state="refused", reason="timestamp older than 5 minutes"
    )
    page = manager_client.get("/webhooks/").content.decode()
    assert "party.updated" in page
    assert "timestamp older than 5 minutes" in page
    assert "<strong>2.0 s</strong>" in page
    assert 'aria-current="page">Webhooks</a>' in page
    assert "A" * 43 not in page  # the secret never shows

    refused_only = manager_client.get("/webhooks/?state=refused").content.decode()
    assert "party.updated" not in refused_only


def test_the_tab_says_when_webhooks_are_off(db, settings, admin_client):
    settings.NATURAL_WEBHOOK_SECRETS = []
    assert "Webhooks are off here" in admin_client.get("/webhooks/").content.decode()


def test_support_cannot_read_the_webhook_log(db, support_client):
    assert support_client.get("/webhooks/").status_code == 403
