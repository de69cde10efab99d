"""The only code that speaks HTTP to Natural: one pooled client, safe retries, a call log.

Retry policy, in one place:
- Reads and writes carrying an Idempotency-Key retry transport errors, 429, 502/503/504 and
  409 IDEMPOTENCY_REQUEST_IN_PROGRESS, with the same key and the same bytes on every attempt.
- A write without a documented key (`idempotent=False`) is retried only when the request surely
  never left (connect error, connect or pool timeout); anything else after sending is an
  unknown outcome.
- At most `max_attempts`, all inside `budget` seconds. `Retry-After` (seconds or an HTTP date) is
  honoured up to `retry_after_cap`; a longer wait, or one that would overrun the budget, stops.
- When retries stop: a read raises NaturalRateLimited / NaturalTimeout / NaturalUnavailable. A
  write raises NaturalOutcomeUnknown only if some attempt may have been processed; a write that
  never got past the rate limiter (429 means "not processed") raises NaturalRateLimited, and one
  that never left raises NaturalUnavailable, so the caller knows retrying cannot duplicate it.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

import httpx
from django.conf import settings
from django.core.signals import setting_changed

from natural import budget as page_budget
from natural import call_log
from natural.errors import (
    NaturalBadResponse,
    NaturalCredentialsRefused,
    NaturalError,
    NaturalNotFound,
    NaturalOutcomeUnknown,
    NaturalRateLimited,
    NaturalRejected,
    NaturalTimeout,
    NaturalUnavailable,
)
from natural.records import ApiError, parse_errors

call_logger = logging.getLogger("natural.calls")
logger = logging.getLogger(__name__)

# Tests replace these two so retry waits are instant yet recorded (tests/fixtures/natural.py).
sleep = time.sleep
monotonic = time.monotonic

RETRYABLE_STATUSES = frozenset({502, 503, 504})
# Failures that prove the request never reached Natural, so even a non-idempotent write may retry.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
IN_PROGRESS = "IDEMPOTENCY_REQUEST_IN_PROGRESS"
# No attempt starts with less time than this left in the budget: it could only time out.
MIN_ATTEMPT_SECONDS = 0.5


def _product_version() -> str:
    try:
        return metadata.version("natural-admin")
    except metadata.PackageNotFoundError:
        return "0"


USER_AGENT = f"NaturalAdmin/{_product_version()} (internal dashboard; python-httpx)"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    budget: float = 8.0
    backoff_base: float = 0.2
    backoff_max: float = 2.0
    retry_after_cap: float = 5.0

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: half fixed, half random, so retries spread out."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class ApiResponse:
    status: int
    json: Any
    headers: httpx.Headers
    replayed: bool
    support_id: str | None
    attempts: int


@dataclass(frozen=True)
class AttemptInfo:
    number: int
    started_at: datetime
    duration_ms: int
    status: int | None
    exception: str | None
    retry_after: float | None
    replayed: bool
    support_id: str | None
    # Natural's rate-limit headers, when it sent them: the bucket's size, what is left in it,
    # and when it is full again (Unix seconds).
    rate_limit: int | None = None
    rate_remaining: int | None = None
    rate_reset: float | None = None


@dataclass(frozen=True)
class _Outcome:
    """One attempt's result: a response or a transport error, with what we read from it."""

    info: AttemptInfo
    response: httpx.Response | None = None
    error: httpx.TransportError | None = None
    payload: Any = None
    errors: tuple[ApiError, ...] = field(default=())

    @property
    def status(self) -> int | None:
        return self.response.status_code if self.response is not None else None

    @property
    def never_sent(self) -> bool:
        return isinstance(self.error, NEVER_SENT)

    @property
    def may_have_been_processed(self) -> bool:
        if self.error is not None:
            return not self.never_sent
        return self.status != 429

    @property
    def in_progress(self) -> bool:
        return self.status == 409 and any(
            IN_PROGRESS in (error.reason, error.code) for error in self.errors
        )


class NaturalClient:
    """A pooled HTTP client for Natural; build it once per process (see get_client)."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        max_connections: int = 20,
        policy: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        record_calls: bool = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.policy = policy or RetryPolicy()
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.record_calls = record_calls
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={
                "Authorization": f"Bearer {token}",
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
            },
            timeout=self._timeout(read_timeout),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"<NaturalClient {self.base_url}>"

    @classmethod
    def from_settings(cls, transport: httpx.BaseTransport | None = None) -> NaturalClient:
        """A client configured from the NATURAL_API_* settings."""
        return cls(
            base_url=settings.NATURAL_API_URL,
            token=settings.NATURAL_API_TOKEN,
            connect_timeout=settings.NATURAL_API_CONNECT_TIMEOUT,
            read_timeout=settings.NATURAL_API_READ_TIMEOUT,
            max_connections=settings.NATURAL_API_MAX_CONNECTIONS,
            policy=RetryPolicy(budget=settings.NATURAL_API_RETRY_BUDGET),
            transport=transport,
        )

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> ApiResponse:
        """A read, retried per the policy."""
        request = self._http.build_request("GET", path, params=_clean(params))
        return self._exchange(request, idempotency_key=None, retry_after_send=True)

    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None,
        idempotency_key: str | None,
        idempotent: bool,
        on_attempt: Callable[[AttemptInfo], None] | None = None,
    ) -> ApiResponse:
        """A write: the same bytes and key on every attempt; retried only where that is safe."""
        if idempotent and not idempotency_key:
            raise ValueError("an idempotent write needs its Idempotency-Key")
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        request = self._http.build_request(method, path, content=body, headers=headers)
        return self._exchange(
            request,
            idempotency_key=idempotency_key,
            retry_after_send=idempotent,
            on_attempt=on_attempt,
        )

    def probe(self, path: str, params: Mapping[str, Any] | None, timeout: float) -> ApiResponse:
        """One read with a short timeout and no retries (health checks)."""
        request = self._http.build_request("GET", path, params=_clean(params))
        return self._exchange(
            request, idempotency_key=None, retry_after_send=False, max_attempts=1, timeout=timeout
        )

    # --- the retry loop ----------------------------------------------------------------------

    def _exchange(
        self,
        request: httpx.Request,
        *,
        idempotency_key: str | None,
        retry_after_send: bool,
        on_attempt: Callable[[AttemptInfo], None] | None = None,
        max_attempts: int | None = None,
        timeout: float | None = None,
    ) -> ApiResponse:
        policy = self.policy
        max_attempts = max_attempts or policy.max_attempts
        is_read = request.method == "GET"
        started = monotonic()
        allowed = policy.budget
        page_left = page_budget.seconds_left(started) if is_read else None
        if page_left is not None:
            # A read shares its page's one budget with every other read of that page.
            allowed = min(allowed, page_left)
            if allowed < MIN_ATTEMPT_SECONDS:
                raise NaturalTimeout()
        processed_somewhere = False
        number = 0
        while True:
            number += 1
            remaining = allowed - (monotonic() - started)
            outcome = self._attempt(request, number, min(timeout or remaining, remaining))
            self._record(request, idempotency_key, outcome, on_attempt)
            if outcome.response is not None and 200 <= outcome.status < 300:
                return self._success(outcome, number)
            processed_somewhere = processed_somewhere or outcome.may_have_been_processed
            if not self._retryable(outcome, retry_after_send):
                break
            wait = outcome.info.retry_after
            if wait is None:
                wait = policy.backoff(number)
            elapsed = monotonic() - started
            if (
                number >= max_attempts
                or wait > policy.retry_after_cap
                or elapsed + wait + MIN_ATTEMPT_SECONDS > allowed
            ):
                break
            sleep(wait)
        raise self._failure(outcome, is_read=is_read, processed=processed_somewhere)

    def _attempt(self, request: httpx.Request, number: int, seconds_left: float) -> _Outcome:
        started_at = datetime.now(UTC)
        clock = monotonic()
        request.extensions["timeout"] = self._timeout(
            max(seconds_left, MIN_ATTEMPT_SECONDS)
        ).as_dict()
        try:
            response = self._http.send(request)
        except httpx.TransportError as error:
            info = AttemptInfo(
                number=number,
                started_at=started_at,
                duration_ms=_ms_since(clock),
                status=None,
                exception=type(error).__name__,
                retry_after=None,
                replayed=False,
                support_id=None,
            )
            return _Outcome(info=info, error=error)
        payload = _json_or_none(response)
        errors = parse_errors(payload) if response.status_code >= 400 else ()
        info = AttemptInfo(
            number=number,
            started_at=started_at,
            duration_ms=_ms_since(clock),
            status=response.status_code,
            exception=None,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            replayed=response.headers.get("X-Idempotency-Replayed", "").lower() == "true",
            support_id=_support_id(errors, response),
            rate_limit=_number(response.headers.get("X-RateLimit-Limit"), int),
            rate_remaining=_number(response.headers.get("X-RateLimit-Remaining"), int),
            rate_reset=_number(response.headers.get("X-RateLimit-Reset"), float),
        )
        return _Outcome(info=info, response=response, payload=payload, errors=errors)

    def _timeout(self, seconds_left: float) -> httpx.Timeout:
        read = min(self.read_timeout, seconds_left)
        connect = min(self.connect_timeout, seconds_left)
        return httpx.Timeout(connect=connect, read=read, write=read, pool=connect)

    @staticmethod
    def _retryable(outcome: _Outcome, retry_after_send: bool) -> bool:
        if outcome.error is not None:
            return outcome.never_sent or retry_after_send
        if outcome.status == 429:
            return True
        if outcome.in_progress or outcome.status in RETRYABLE_STATUSES:
            return retry_after_send
        return False

    @staticmethod
    def _success(outcome: _Outcome, attempts: int) -> ApiResponse:
        response = outcome.response
        if response.content and outcome.payload is None:
            raise NaturalBadResponse(status=response.status_code)
        return ApiResponse(
            status=response.status_code,
            json=outcome.payload,
            headers=response.headers,
            replayed=outcome.info.replayed,
            support_id=outcome.info.support_id,
            attempts=attempts,
        )

    @staticmethod
    def _failure(outcome: _Outcome, *, is_read: bool, processed: bool) -> NaturalError:
        status, errors = outcome.status, outcome.errors
        if status is not None and 400 <= status < 500 and status != 429 and not outcome.in_progress:
            return _rejection(status, errors)
        if not is_read and processed:
            return NaturalOutcomeUnknown(last_status=status, errors=errors)
        if status == 429:
            retry_after = outcome.info.retry_after
            return NaturalRateLimited(
                retry_after=1.0 if retry_after is None else retry_after, status=429, errors=errors
            )
        if is_read and isinstance(outcome.error, httpx.TimeoutException) and not outcome.never_sent:
            return NaturalTimeout()
        return NaturalUnavailable(status=status, errors=errors)

    # --- the call log ------------------------------------------------------------------------

    def _record(
        self,
        request: httpx.Request,
        idempotency_key: str | None,
        outcome: _Outcome,
        on_attempt: Callable[[AttemptInfo], None] | None,
    ) -> None:
        info = outcome.info
        error = info.exception or (outcome.errors[0].code if outcome.errors else "")
        entry = {
            "method": request.method,
            "path": request.url.path,
            "status": info.status,
            "duration_ms": info.duration_ms,
            "attempt": info.number,
            "idempotency_key": idempotency_key or "",
            "replayed": info.replayed,
            "support_id": info.support_id or "",
            "error": error,
        }
        call_logger.info(
            "natural_call %s",
            " ".join(
                f"{name}={value if value not in ('', None) else '-'}"
                for name, value in entry.items()
            ),
            extra={"natural_call": entry},
        )
        if self.record_calls:
            call_log.record(entry, info.started_at)
        if on_attempt is not None:
            try:
                on_attempt(info)
            except Exception:
                # The caller's own audit must not hide what Natural answered.
                logger.exception(
                    "on_attempt callback failed for %s %s", request.method, entry["path"]
                )


def _rejection(status: int, errors: tuple[ApiError, ...]) -> NaturalError:
    if status in (401, 403):
        return NaturalCredentialsRefused(status=status, errors=errors)
    if status == 404:
        return NaturalNotFound(status=status, errors=errors)
    return NaturalRejected(status=status, errors=errors)


def longest_silence() -> float:
    """The longest one attempt and the wait before the next can last, in seconds: the connect
    and read timeouts, then the longest Retry-After honoured (never more than the retry
    budget). A caller sending on Natural's behalf shows a sign of life at least this often."""
    return (
        settings.NATURAL_API_CONNECT_TIMEOUT
        + settings.NATURAL_API_READ_TIMEOUT
        + min(settings.NATURAL_API_RETRY_BUDGET, RetryPolicy.retry_after_cap)
    )


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds to wait: delay-seconds or an HTTP date; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _number(value: str | None, kind):
    """A rate-limit header as a number; None when absent or not a number."""
    if not value:
        return None
    try:
        number = kind(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Drop unset parameters; booleans as the API spells them."""
    if not params:
        return None
    cleaned: dict[str, Any] = {}
    for name, value in params.items():
        if value is None or value == () or value == []:
            continue
        cleaned[name] = ("true" if value else "false") if isinstance(value, bool) else value
    return cleaned


def _json_or_none(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _support_id(errors: tuple[ApiError, ...], response: httpx.Response) -> str | None:
    for error in errors:
        if error.support_id:
            return error.support_id
    return response.headers.get("X-Request-Id")


def _ms_since(start: float) -> int:
    return max(0, round((monotonic() - start) * 1000))


# --- the process-wide client ---------------------------------------------------------------

_client: NaturalClient | None = None
_transport: httpx.BaseTransport | None = None
_lock = threading.Lock()


def get_client() -> NaturalClient:
    """The process's one client, built from settings on first use (after any fork)."""
    global _client
    client = _client
    if client is None:
        with _lock:
            if _client is None:
                _client = NaturalClient.from_settings(transport=_transport)
            client = _client
    return client


def use_transport(transport: httpx.BaseTransport | None) -> None:
    """Point the process-wide client at another transport (tests: the sandbox in process)."""
    global _transport
    _transport = transport
    _drop_client()


def reset_client() -> None:
    """Forget the process-wide client and any transport override; the next use rebuilds it."""
    use_transport(None)


def _drop_client() -> None:
    global _client
    with _lock:
        old, _client = _client, None
    if old is not None:
        old.close()


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("NATURAL_API_"):
        _drop_client()


setting_changed.connect(_on_setting_changed)
