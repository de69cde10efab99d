"""The WSGI application: routing, authentication, faults and idempotency around the handlers."""

import hmac
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox import control, handlers, serializers
from sandbox.calls import Call, Reply
from sandbox.clock import Clock, format_ms
from sandbox.errors import ApiError, ErrorItem, invalid_header
from sandbox.faults import ConnectionDropped, FaultBook, fault_error
from sandbox.idempotency import (
    MAX_KEY_LENGTH,
    IdempotencyStore,
    StoredResponse,
    fingerprint,
    scope_for_token,
)
from sandbox.ids import is_id
from sandbox.ratelimit import TokenBucket
from sandbox.seed import SeedConfig, populate, runtime_rng
from sandbox.store import Store
from sandbox.webhooks import Settings as WebhookSettings
from sandbox.webhooks import WebhookSender

CONTROL_PREFIX = "/__sandbox/"
MAX_INSTANCE_ID_LENGTH = 1024


@dataclass(frozen=True)
class Endpoint:
    handler: Callable[[Call], Reply]
    # Idempotency-Key required and honoured (the endpoints the docs mark it required on).
    idempotent: bool = False


def _rule(path: str, method: str, handler: Callable[..., Reply], **options: Any) -> Rule:
    return Rule(path, methods=[method], endpoint=Endpoint(handler, **options))


API_ROUTES = Map(
    [
        _rule("/customers", "GET", handlers.list_customers),
        _rule("/customers/invitations", "GET", handlers.list_customer_invitations),
        _rule("/customers/<customer_id>", "GET", handlers.get_customer),
        _rule("/agents", "GET", handlers.list_agents),
        _rule("/agents/invitations", "GET", handlers.list_agent_invitations),
        _rule("/agents/invitations/revoke", "POST", handlers.revoke_agent_invitations),
        _rule(
            "/agents/invitations/<invitation_id>",
            "DELETE",
            handlers.cancel_agent_invitation,
            idempotent=True,
        ),
        _rule("/agents/<agent_id>", "GET", handlers.get_agent),
        _rule("/agents/<agent_id>/customers", "GET", handlers.list_agent_customers),
        _rule(
            "/agents/<agent_id>/customers",
            "POST",
            handlers.create_customer_invitations,
            idempotent=True,
        ),
        _rule(
            "/agents/<agent_id>/customers/<customer_id>",
            "DELETE",
            handlers.revoke_agent_customer,
            idempotent=True,
        ),
        _rule("/agent-delegation-invitations", "GET", handlers.list_delegation_invitations),
        _rule("/agent-delegation-invitations", "POST", handlers.create_delegation_invitation),
        _rule("/agent-delegations", "GET", handlers.list_agent_delegations),
        _rule("/agent-delegations/<agent_delegation_id>", "GET", handlers.get_agent_delegation),
    ],
    merge_slashes=False,
)

CONTROL_ROUTES = Map(
    [
        Rule(
            "/__sandbox/invitations/<invitation_id>/accept",
            methods=["POST"],
            endpoint=control.accept_invitation,
        ),
        Rule(
            "/__sandbox/invitations/<invitation_id>/decline",
            methods=["POST"],
            endpoint=control.decline_invitation,
        ),
        Rule(
            "/__sandbox/invitations/<invitation_id>/expire",
            methods=["POST"],
            endpoint=control.expire_invitation,
        ),
        Rule("/__sandbox/clock", methods=["GET"], endpoint=control.get_clock),
        Rule("/__sandbox/clock", methods=["POST"], endpoint=control.move_clock),
        Rule("/__sandbox/reset", methods=["POST"], endpoint=control.reset),
        Rule("/__sandbox/faults", methods=["GET"], endpoint=control.list_faults),
        Rule("/__sandbox/faults", methods=["POST"], endpoint=control.add_fault),
        Rule("/__sandbox/faults", methods=["DELETE"], endpoint=control.clear_faults),
        Rule("/__sandbox/webhooks", methods=["GET"], endpoint=control.webhook_status),
        Rule("/__sandbox/webhooks", methods=["POST"], endpoint=control.configure_webhooks),
        Rule(
            "/__sandbox/webhooks/rotate", methods=["POST"], endpoint=control.rotate_webhook_secret
        ),
        Rule("/__sandbox/rate-limit", methods=["GET"], endpoint=control.get_rate_limit),
        Rule("/__sandbox/rate-limit", methods=["POST"], endpoint=control.set_rate_limit),
        Rule("/__sandbox/requests", methods=["GET"], endpoint=control.list_requests),
        Rule("/__sandbox/requests", methods=["DELETE"], endpoint=control.clear_requests),
    ],
    merge_slashes=False,
)


@dataclass(frozen=True)
class RequestRecord:
    """One Natural-API request as the sandbox saw it (control endpoints are not recorded)."""

    method: str
    path: str
    query: str
    status: int | None  # None when the connection was dropped before handling
    idempotency_key: str | None
    replayed: bool
    fault: str | None
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "idempotencyKey": self.idempotency_key,
            "replayed": self.replayed,
            "fault": self.fault,
            "at": format_ms(self.at),
        }


def json_bytes(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(json_bytes(body), status, headers, content_type="application/json")


def error_response(error: ApiError) -> Response:
    return json_response(error.status, error.body(), error.headers)


class SandboxApp:
    """A stateful emulator of the Natural API, as a WSGI callable."""

    def __init__(
        self, token: str, config: SeedConfig, *, mark_revoked_delegations: bool = False
    ) -> None:
        if not token:
            raise ValueError("a bearer token is required")
        self._token = token.encode()
        self._scope = scope_for_token(token)
        self.config = config
        self.clock = Clock()
        self.faults = FaultBook()
        # Natural's token bucket for the credential (sandbox/ratelimit.py); None: no limit.
        self.rate_limiter: TokenBucket | None = None
        self.idempotency = IdempotencyStore()
        self.request_log: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self.state = Store(self.clock, runtime_rng(config.seed))
        self.state.mark_revoked_delegations = mark_revoked_delegations
        self.webhooks: WebhookSender | None = None
        populate(self.state, config, self.clock.now())

    def send_webhooks(self, settings: WebhookSettings, **options: Any) -> WebhookSender:
        """From now on, every state change a webhook reports is sent, signed, to settings.url."""
        if self.webhooks is not None:
            self.webhooks.close()
        self.webhooks = WebhookSender(settings, **options)
        self.state.notify = self._emit
        return self.webhooks

    def stop_webhooks(self) -> None:
        if self.webhooks is not None:
            self.webhooks.close()
        self.webhooks = None
        self.state.notify = None

    def _emit(self, event_type: str, customer_id: str) -> None:
        """Called with the store locked, right after the change."""
        if self.webhooks is None:
            return
        customer = self.state.customers.get(customer_id)
        data = serializers.customer_resource(self.state, customer) if customer else None
        self.webhooks.emit(event_type, "party", customer_id, data, self.clock.now())

    def reset(self) -> None:
        """Back to the seed: data, clock, idempotency records, faults and the request log."""
        with self.state.lock:
            self.clock.reset()
            self.state.clear(runtime_rng(self.config.seed))
            populate(self.state, self.config, self.clock.now())
        self.idempotency.clear()
        self.faults.clear()
        self.clear_request_log()
        if self.webhooks is not None:
            self.webhooks.clear()

    def counts(self) -> dict[str, int]:
        with self.state.lock:
            return {
                "customers": len(self.state.customers),
                "invitations": len(self.state.invitations),
                "agentDelegations": len(self.state.agent_delegations),
                "delegationInvitations": len(self.state.delegation_invitations),
                "agents": len(self.state.agents),
            }

    def request_log_snapshot(self) -> list[RequestRecord]:
        with self._log_lock:
            return list(self.request_log)

    def clear_request_log(self) -> int:
        with self._log_lock:
            cleared = len(self.request_log)
            self.request_log.clear()
        return cleared

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith(CONTROL_PREFIX):
            response = self._control(request)
        else:
            response = self._api(request)
        return response(environ, start_response)

    # Natural API

    def _api(self, request: Request) -> Response:
        try:
            endpoint, path_args = self._route(API_ROUTES, request)
        except ApiError as error:
            self._log(request, error.status)
            return error_response(error)

        verdict = self.rate_limiter.take() if self.rate_limiter is not None else None
        if verdict is not None and not verdict.allowed:
            self._log(request, 429, fault="rate_limit")
            return error_response(ApiError(ErrorItem("rate_limited", 429), headers=verdict.headers))
        response = self._answer(request, endpoint, path_args)
        if verdict is not None:
            for name, value in verdict.headers.items():
                response.headers.setdefault(name, value)
        return response

    def _answer(self, request: Request, endpoint, path_args) -> Response:
        plan = self.faults.take(request.method, request.path)
        outcome = plan.outcome.kind if plan.outcome else None
        if outcome == "drop_before":
            # Read the body first: closing a socket with unread input resets it instead.
            request.get_data()
            self._log(request, None, fault=outcome)
            raise ConnectionDropped(after_commit=False)

        replayed = False
        try:
            if plan.outcome is not None and outcome in ("rate_limit", "error"):
                time.sleep(plan.latency)
                raise fault_error(plan.outcome, int(self.clock.now().timestamp()))
            self._authenticate(request)
            _check_agent_headers(request)
            key = _idempotency_key(request) if endpoint.idempotent else None
            stored = None
            if key is not None:
                request_fingerprint = fingerprint(request.method, request.path, request.get_data())
                stored = self.idempotency.begin(
                    self._scope, key, request_fingerprint, self.clock.now()
                )
            time.sleep(plan.latency)
            if stored is not None:
                replayed = True
                response = Response(
                    stored.body,
                    stored.status,
                    {"X-Idempotency-Replayed": "true"},
                    content_type="application/json",
                )
            else:
                response = self._execute(endpoint, request, path_args, key)
        except ApiError as error:
            response = error_response(error)

        if outcome == "drop_after":
            self._log(request, response.status_code, replayed=replayed, fault=outcome)
            raise ConnectionDropped(after_commit=True)
        self._log(request, response.status_code, replayed=replayed, fault=outcome)
        return response

    def _execute(
        self, endpoint: Endpoint, request: Request, path_args: dict[str, str], key: str | None
    ) -> Response:
        try:
            with self.state.lock:
                call = Call(request, self.state, self.clock.now(), path_args)
                reply = endpoint.handler(call)
        except BaseException:
            # Refused before anything changed (or crashed): the key may be used again.
            if key is not None:
                self.idempotency.release(self._scope, key)
            raise
        body = json_bytes(reply.body)
        if key is not None:
            self.idempotency.finish(
                self._scope, key, StoredResponse(reply.status, body), self.clock.now()
            )
        return Response(body, reply.status, reply.headers, content_type="application/json")

    def _log(
        self,
        request: Request,
        status: int | None,
        *,
        replayed: bool = False,
        fault: str | None = None,
    ) -> None:
        record = RequestRecord(
            method=request.method,
            path=request.path,
            query=request.query_string.decode("latin-1"),
            status=status,
            idempotency_key=request.headers.get("Idempotency-Key"),
            replayed=replayed,
            fault=fault,
            at=self.clock.now(),
        )
        with self._log_lock:
            self.request_log.append(record)

    # Shared by both surfaces

    def _route(self, routes: Map, request: Request) -> tuple[Any, dict[str, str]]:
        adapter = routes.bind_to_environ(request.environ)
        try:
            return adapter.match()
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.valid_methods or []))
            raise ApiError(
                ErrorItem(
                    "method_not_allowed",
                    405,
                    f"{request.method} is not allowed on {request.path}.",
                ),
                headers={"Allow": allowed},
            ) from exc
        except HTTPException as exc:
            raise ApiError(
                ErrorItem("not_found", 404, f"No route for {request.method} {request.path}.")
            ) from exc

    def _authenticate(self, request: Request) -> None:
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            credentials.strip().encode(), self._token
        ):
            raise ApiError(
                ErrorItem("unauthenticated", 401), headers={"WWW-Authenticate": "Bearer"}
            )

    # Control endpoints

    def _control(self, request: Request) -> Response:
        try:
            handler, path_args = self._route(CONTROL_ROUTES, request)
            self._authenticate(request)
            with self.state.lock:
                call = Call(request, self.state, self.clock.now(), path_args)
                reply = handler(self, call)
        except ApiError as error:
            return error_response(error)
        return json_response(reply.status, reply.body, reply.headers)


def _check_agent_headers(request: Request) -> None:
    agent_id = request.headers.get("X-Agent-ID")
    instance_id = request.headers.get("X-Instance-ID")
    if agent_id is not None:
        if not is_id("agt", agent_id):
            raise invalid_header("X-Agent-ID", "X-Agent-ID must match ^agt_[0-9a-f]{32}$.")
        if not instance_id:
            raise invalid_header("X-Instance-ID", "X-Instance-ID is required with X-Agent-ID.")
    if instance_id is not None and len(instance_id) > MAX_INSTANCE_ID_LENGTH:
        raise invalid_header("X-Instance-ID", "X-Instance-ID is at most 1024 characters.")


def _idempotency_key(request: Request) -> str:
    key = request.headers.get("Idempotency-Key")
    if key is None or not key.strip():
        raise invalid_header("Idempotency-Key", "The Idempotency-Key header is required.")
    if len(key) > MAX_KEY_LENGTH:
        raise invalid_header("Idempotency-Key", "Idempotency-Key is at most 255 characters.")
    return key


def create_app(
    *,
    token: str,
    seed: int = 7,
    customers: int = 250,
    invitations: int = 400,
    delegations: int = 300,
    agents: int = 4,
    mark_revoked_delegations: bool = False,
    rate_limit: float = 0,
    webhooks: WebhookSettings | None = None,
) -> SandboxApp:
    """`mark_revoked_delegations` adds an undocumented `revoked_at` to revoked agent
    delegations; off by default, so the sandbox answers only what the docs show.
    `rate_limit`: requests per second for the credential's token bucket (0: none)."""
    config = SeedConfig(
        seed=seed,
        customers=customers,
        invitations=invitations,
        delegations=delegations,
        agents=agents,
    )
    app = SandboxApp(token, config, mark_revoked_delegations=mark_revoked_delegations)
    if rate_limit:
        app.rate_limiter = TokenBucket(rate_limit)
    if webhooks is not None:
        app.send_webhooks(webhooks)
    return app
