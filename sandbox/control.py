"""Sandbox-only endpoints under /__sandbox/: what the public API cannot do (consent as the
customer, move time, reset) and the fault switchboard. Not part of the Natural API."""

from typing import Any, Protocol

from sandbox import serializers
from sandbox.calls import Call, Reply
from sandbox.clock import Clock, format_ms, parse_timestamp
from sandbox.errors import invalid_body
from sandbox.faults import FaultBook, InvalidFault
from sandbox.validation import path_id


class Sandbox(Protocol):
    """What the control endpoints use of the running sandbox (sandbox.app.SandboxApp)."""

    clock: Clock
    faults: FaultBook

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


def list_requests(app: Sandbox, call: Call) -> Reply:
    return Reply(200, {"requests": [record.to_json() for record in app.request_log_snapshot()]})


def clear_requests(app: Sandbox, call: Call) -> Reply:
    return Reply(200, {"cleared": app.clear_request_log()})


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
