"""Sandbox-only endpoints under /__sandbox/: what the public API cannot do (consent as the
customer, move time, reset) and the fault switchboard. Not part of the Natural API."""

import base64
import os
from typing import Any, Protocol

from sandbox import serializers
from sandbox.calls import Call, Reply
from sandbox.clock import Clock, format_ms, parse_timestamp
from sandbox.errors import invalid_body, not_found
from sandbox.faults import FaultBook, InvalidFault
from sandbox.ratelimit import TokenBucket
from sandbox.validation import path_id
from sandbox.webhooks import WebhookSender


class Sandbox(Protocol):
    """What the control endpoints use of the running sandbox (sandbox.app.SandboxApp)."""

    clock: Clock
    faults: FaultBook
    webhooks: WebhookSender | None
    rate_limiter: TokenBucket | None

    def reset(self) -> None: ...
    def counts(self) -> dict[str, int]: ...
    def request_log_snapshot(self) -> list: ...
    def clear_request_log(self) -> int: ...


def _invitation_reply(call: Call, invitation_id: str) -> Reply:
    invitation = call.store.invitation(invitation_id)
    data = serializers.agent_invitation_resource(call.store, invitation, call.store.clock.now())
    return Reply(200, {"data": data})


def accept_invitation(app: Sandbox, call: Call) -> Reply:
    invitation_id = path_id("adi", call.path_args["invitation_id"], "id")
    call.store.accept_invitation(call.store.invitation(invitation_id))
    return _invitation_reply(call, invitation_id)


def decline_invitation(app: Sandbox, call: Call) -> Reply:
    invitation_id = path_id("adi", call.path_args["invitation_id"], "id")
    call.store.decline_invitation(call.store.invitation(invitation_id))
    return _invitation_reply(call, invitation_id)


def expire_invitation(app: Sandbox, call: Call) -> Reply:
    invitation_id = path_id("adi", call.path_args["invitation_id"], "id")
    call.store.expire_invitation(call.store.invitation(invitation_id))
    return _invitation_reply(call, invitation_id)


def get_clock(app: Sandbox, call: Call) -> Reply:
    return Reply(200, {"now": format_ms(app.clock.now())})


def move_clock(app: Sandbox, call: Call) -> Reply:
    body = _object_body(call)
    if "advanceSeconds" in body:
        seconds = body["advanceSeconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise invalid_body("/advanceSeconds", "advanceSeconds must be a number.")
        app.clock.advance(seconds)
    elif "now" in body:
        try:
            app.clock.set(parse_timestamp(body["now"]))
        except (TypeError, ValueError) as exc:
            raise invalid_body(
                "/now", "now must be an ISO 8601 timestamp with a timezone."
            ) from exc
    else:
        raise invalid_body("", "Send either advanceSeconds or now.")
    return get_clock(app, call)


def reset(app: Sandbox, call: Call) -> Reply:
    app.reset()
    return Reply(200, {"reset": True, "counts": app.counts()})


def add_fault(app: Sandbox, call: Call) -> Reply:
    body = _object_body(call)
    try:
        fault = app.faults.add(
            body.get("kind", ""),
            count=body.get("count", 1),
            method=body.get("method"),
            path=body.get("path"),
            seconds=_number(body, "seconds", 0.0),
            retry_after=_number(body, "retryAfter", 1),
            status=body.get("status", 503),
        )
    except InvalidFault as exc:
        raise invalid_body(f"/{exc.field_name}", exc.message) from exc
    return Reply(200, {"fault": fault.to_json()})


def list_faults(app: Sandbox, call: Call) -> Reply:
    return Reply(200, {"faults": [fault.to_json() for fault in app.faults.active()]})


def clear_faults(app: Sandbox, call: Call) -> Reply:
    return Reply(200, {"cleared": app.faults.clear()})


def get_rate_limit(app: Sandbox, call: Call) -> Reply:
    bucket = app.rate_limiter
    return Reply(200, {"perSecond": bucket.rate if bucket is not None else 0})


def set_rate_limit(app: Sandbox, call: Call) -> Reply:
    """A new token bucket (full) of `perSecond` requests a second; 0 turns the limit off."""
    per_second = _number(_object_body(call), "perSecond", -1)
    if per_second < 0:
        raise invalid_body("/perSecond", "perSecond must be 0 (off) or a positive number.")
    app.rate_limiter = TokenBucket(per_second) if per_second else None
    return Reply(200, {"perSecond": per_second})


def list_requests(app: Sandbox, call: Call) -> Reply:
    return Reply(200, {"requests": [record.to_json() for record in app.request_log_snapshot()]})


def clear_requests(app: Sandbox, call: Call) -> Reply:
    return Reply(200, {"cleared": app.clear_request_log()})


def _sender(app: Sandbox) -> WebhookSender:
    if app.webhooks is None:
        raise not_found(detail="Webhooks are off: start the sandbox with --webhook-url.")
    return app.webhooks


def webhook_status(app: Sandbox, call: Call) -> Reply:
    """Where webhooks go and every delivery attempt (never the secret)."""
    sender = _sender(app)
    settings = sender.settings
    return Reply(
        200,
        {
            "url": settings.url,
            "enabled": settings.enabled,
            "duplicates": settings.duplicates,
            "reorder": settings.reorder,
            "attempts": [attempt.to_json() for attempt in list(sender.log)],
        },
    )


def configure_webhooks(app: Sandbox, call: Call) -> Reply:
    """`{"enabled": false}` stops sending (the sender is down); `duplicates` (0-1) and
    `reorder` (seconds) change how real-sender-like deliveries are."""
    sender = _sender(app)
    body = _object_body(call)
    changes: dict[str, Any] = {}
    if "enabled" in body:
        if not isinstance(body["enabled"], bool):
            raise invalid_body("/enabled", "enabled must be true or false.")
        changes["enabled"] = body["enabled"]
    if "duplicates" in body:
        share = _number(body, "duplicates", 0)
        if not 0 <= share <= 1:
            raise invalid_body("/duplicates", "duplicates must be between 0 and 1.")
        changes["duplicates"] = float(share)
    if "reorder" in body:
        seconds = _number(body, "reorder", 0)
        if not 0 <= seconds <= 60:
            raise invalid_body("/reorder", "reorder must be between 0 and 60 seconds.")
        changes["reorder"] = float(seconds)
    sender.configure(**changes)
    return webhook_status(app, call)


def rotate_webhook_secret(app: Sandbox, call: Call) -> Reply:
    """A new signing secret (given as `secret`, or made here), returned once; the old one
    still signs for `graceSeconds` (default 24 hours)."""
    sender = _sender(app)
    body = call.json_body() if call.request.get_data() else {}
    if not isinstance(body, dict):
        raise invalid_body("", "The body must be a JSON object.")
    secret = body.get("secret") or "whsec_" + base64.b64encode(os.urandom(32)).decode()
    if not isinstance(secret, str) or not secret.startswith("whsec_"):
        raise invalid_body("/secret", "secret must be a whsec_ secret.")
    grace = _number(body, "graceSeconds", 86400)
    try:
        sender.rotate(secret, float(grace))
    except Exception as exc:
        raise invalid_body("/secret", "secret must be whsec_ followed by base64.") from exc
    return Reply(200, {"secret": secret, "graceSeconds": grace})


def _object_body(call: Call) -> dict[str, Any]:
    body = call.json_body()
    if not isinstance(body, dict):
        raise invalid_body("", "The body must be a JSON object.")
    return body


def _number(body: dict[str, Any], name: str, default: float) -> Any:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid_body(f"/{name}", f"{name} must be a number.")
    return value
