"""Natural's webhooks, received: each delivery verified by the Standard Webhooks library with
the configured signing secrets, then stored once per event id (see models.WebhookDelivery).

What the events mean for the read model is read_model/events.py's business; this module only
decides whether a delivery is Natural's, and keeps the record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from standardwebhooks import Webhook, WebhookVerificationError

from natural.models import WebhookDelivery

MAX_BODY_BYTES = 256 * 1024
HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
State = WebhookDelivery.State


class Refused(Exception):
    """Not a delivery from Natural (or not a readable one): the reason says why, in words an
    operator reading the security log understands."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Envelope:
    id: str
    type: str
    resource_type: str
    resource_id: str
    created_at: datetime | None
    raw: dict[str, Any]


def is_enabled() -> bool:
    return bool(settings.NATURAL_WEBHOOK_SECRETS)


# The library's own words for why it refused, as our reasons (anything else: no match).
_LIBRARY_REASONS = {
    "Missing required headers": "missing webhook-id, webhook-timestamp or webhook-signature",
    "Invalid Signature Headers": "unreadable webhook-timestamp",
    "Message timestamp too old": "timestamp older than 5 minutes",
    "Message timestamp too new": "timestamp more than 5 minutes ahead",
    "No matching signature found": "no signature matches a configured secret",
}


def verify(body: bytes, headers: dict[str, str]) -> Envelope:
    """The delivery's envelope, when one of the configured secrets signed it; else Refused.

    Each secret is tried in turn (two during a rotation); the library checks the timestamp
    (5 minutes either way) and every `v1,` signature in the header.
    """
    if len(body) > MAX_BODY_BYTES:
        raise Refused(f"body larger than {MAX_BODY_BYTES // 1024} KiB")
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise Refused("body is not UTF-8") from None
    wanted = {name: headers.get(name, "") for name in HEADERS}
    reason = "no signature matches a configured secret"
    for secret in settings.NATURAL_WEBHOOK_SECRETS:
        try:
            Webhook(secret).verify(text, wanted, json_parse=False)
        except WebhookVerificationError as error:
            reason = _LIBRARY_REASONS.get(str(error), "no signature matches a configured secret")
            if reason != "no signature matches a configured secret":
                break  # headers or timestamp: no other secret changes that
            continue
        except (ValueError, TypeError):
            # binascii.Error is a ValueError: a signature that is not `v1,<base64>`.
            reason = "malformed webhook-signature"
            break
        return parse_envelope(text, wanted["webhook-id"])
    raise Refused(reason)


def parse_envelope(text: str, webhook_id: str) -> Envelope:
    """The event envelope `{id, object: "event", type, resourceId, resourceType, createdAt,
    data.object}`. Signed but unreadable is still refused: there is nothing to act on."""
    try:
        raw = json.loads(text)
    except ValueError:
        raise Refused("signed body is not JSON") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str) or not raw["type"]:
        raise Refused("signed body is not an event (no type)")
    event_id = raw.get("id")
    if isinstance(event_id, str) and event_id and event_id != webhook_id:
        raise Refused("event id differs from webhook-id")

    def text_of(name: str) -> str:
        value = raw.get(name)
        return value[:100] if isinstance(value, str) else ""

    created = raw.get("createdAt") or raw.get("created_at")
    created_at = parse_datetime(created) if isinstance(created, str) else None
    return Envelope(
        id=webhook_id,
        type=raw["type"][:100],
        resource_type=text_of("resourceType") or text_of("resource_type"),
        resource_id=text_of("resourceId") or text_of("resource_id"),
        created_at=created_at,
        raw=raw,
    )


def signed_at(headers: dict[str, str]) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(headers.get("webhook-timestamp", "")), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def record_refused(headers: dict[str, str], reason: str, address: str | None) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        received_at=timezone.now(),
        state=State.REFUSED,
        reason=reason[:300],
        webhook_id=headers.get("webhook-id", "")[:100],
        signed_at=signed_at(headers),
        remote_address=address,
    )


def record_verified(
    envelope: Envelope, headers: dict[str, str], address: str | None
) -> tuple[WebhookDelivery, bool]:
    """The delivery row for this event, and whether it is new. A repeated event id (Natural
    retried, or sent it twice) is counted on the first row and not processed again."""
    now = timezone.now()
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                received_at=now,
                state=State.RECEIVED,
                webhook_id=envelope.id,
                event_type=envelope.type,
                resource_type=envelope.resource_type,
                resource_id=envelope.resource_id,
                event_created_at=envelope.created_at,
                signed_at=signed_at(headers),
                payload=envelope.raw,
                remote_address=address,
            )
        return delivery, True
    except IntegrityError:
        first = WebhookDelivery.objects.exclude(state=State.REFUSED).get(webhook_id=envelope.id)
        WebhookDelivery.objects.filter(pk=first.pk).update(
            repeats=F("repeats") + 1, last_repeat_at=now
        )
        return first, False


def finish(delivery: WebhookDelivery, state: str, reason: str = "") -> None:
    """Record how processing ended (processed, ignored or failed)."""
    delivery.state = state
    delivery.reason = reason[:300]
    delivery.processed_at = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=state, reason=delivery.reason, processed_at=delivery.processed_at
    )
