"""Signed deliveries as Natural sends them (Standard Webhooks, signed by the library)."""

from __future__ import annotations

import base64
import json
import os
import time
from datetime import UTC, datetime

from standardwebhooks import Webhook


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


def new_event_id() -> str:
    return "evt_" + os.urandom(16).hex()


def envelope(event_type: str, resource_id: str, *, event_id: str | None = None, **extra) -> dict:
    return {
        "id": event_id or new_event_id(),
        "object": "event",
        "type": event_type,
        "resourceId": resource_id,
        "resourceType": "party" if resource_id.startswith("pty_") else "agent_delegation",
        "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "data": {"object": {"id": resource_id}},
        **extra,
    }


def signed(event: dict, *secrets: str, at: float | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one delivery, signed with each secret (several during a
    rotation, space separated in one header)."""
    body = json.dumps(event, separators=(",", ":"))
    timestamp = int(at if at is not None else time.time())
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    signatures = " ".join(Webhook(s).sign(event["id"], moment, body) for s in secrets)
    headers = {
        "HTTP_WEBHOOK_ID": event["id"],
        "HTTP_WEBHOOK_TIMESTAMP": str(timestamp),
        "HTTP_WEBHOOK_SIGNATURE": signatures,
    }
    return body.encode(), headers
