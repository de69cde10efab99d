"""Faults injected into the next N matching Natural-API requests."""

import itertools
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import CODE_FOR_SERVER_STATUS, ApiError, ErrorItem

FAULT_KINDS = ("latency", "rate_limit", "error", "drop_before", "drop_after")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class ConnectionDropped(ConnectionError):  # noqa: N818 - it names what the client sees
    """Raised by the app instead of answering: the connection closes with no response.

    A ConnectionError, so Werkzeug's server treats it as a dropped connection and writes
    nothing; `sandbox.testing.SandboxTransport` turns it into `httpx.RemoteProtocolError`.
    """

    def __init__(self, after_commit: bool) -> None:
        when = "after the request was committed" if after_commit else "before it was handled"
        super().__init__(f"sandbox dropped the connection {when}")
        self.after_commit = after_commit


class InvalidFault(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name
        self.message = message


@dataclass
class Fault:
    id: int
    kind: str
    remaining: int
    method: str | None = None
    path: str | None = None
    seconds: float = 0.0
    retry_after: int = 1
    status: int = 503
    _path_pattern: re.Pattern[str] | None = field(default=None, repr=False)

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self._path_pattern is None or self._path_pattern.search(path) is not None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "remaining": self.remaining,
            "method": self.method,
            "path": self.path,
        }
        if self.kind == "latency":
            data["seconds"] = self.seconds
        elif self.kind == "rate_limit":
            data["retryAfter"] = self.retry_after
        elif self.kind == "error":
            data["status"] = self.status
        return data


@dataclass
class FaultPlan:
    """What the faults say about one request: extra latency and at most one outcome."""

    latency: float = 0.0
    outcome: Fault | None = None


class FaultBook:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(
        self,
        kind: str,
        *,
        count: int = 1,
        method: str | None = None,
        path: str | None = None,
        seconds: float = 0.0,
        retry_after: int = 1,
        status: int = 503,
    ) -> Fault:
        """Raises InvalidFault (naming the bad field) when the fault cannot be honoured."""
        if kind not in FAULT_KINDS:
            raise InvalidFault("kind", f"kind must be one of {', '.join(FAULT_KINDS)}.")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise InvalidFault("count", "count must be a positive integer.")
        if kind == "error" and status not in CODE_FOR_SERVER_STATUS:
            raise InvalidFault("status", "status must be 500, 502, 503 or 504.")
        if kind == "latency" and not 0 < seconds <= 60:
            raise InvalidFault("seconds", "seconds must be between 0 and 60.")
        if kind == "rate_limit" and (
            not isinstance(retry_after, int) or not 0 <= retry_after <= 3600
        ):
            raise InvalidFault("retryAfter", "retryAfter must be whole seconds, 0 to 3600.")
        if method is not None and (
            not isinstance(method, str) or method.upper() not in HTTP_METHODS
        ):
            raise InvalidFault("method", f"method must be one of {', '.join(HTTP_METHODS)}.")
        if path is not None and not isinstance(path, str):
            raise InvalidFault("path", "path must be a regular expression string.")
        try:
            pattern = re.compile(path) if path is not None else None
        except re.error as exc:
            raise InvalidFault("path", f"path is not a valid regular expression: {exc}") from exc
        with self._lock:
            fault = Fault(
                id=next(self._ids),
                kind=kind,
                remaining=count,
                method=method.upper() if method else None,
                path=path,
                seconds=seconds,
                retry_after=retry_after,
                status=status,
                _path_pattern=pattern,
            )
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> FaultPlan:
        """Consume the faults this request triggers: every matching latency, plus the first
        matching fault of another kind (oldest first)."""
        plan = FaultPlan()
        with self._lock:
            for fault in self._faults:
                if not fault.matches(method, path):
                    continue
                if fault.kind == "latency":
                    plan.latency += fault.seconds
                elif plan.outcome is None:
                    plan.outcome = fault
                else:
                    continue
                fault.remaining -= 1
            self._faults = [fault for fault in self._faults if fault.remaining > 0]
        return plan

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> int:
        with self._lock:
            cleared = len(self._faults)
            self._faults.clear()
        return cleared


def fault_error(fault: Fault, reset_epoch: int) -> ApiError:
    """The response an injected rate_limit or error fault produces."""
    if fault.kind == "rate_limit":
        return ApiError(
            ErrorItem("rate_limited", 429),
            headers={
                "Retry-After": str(fault.retry_after),
                "X-RateLimit-Limit": "100",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(reset_epoch + fault.retry_after),
            },
        )
    return ApiError(ErrorItem(CODE_FOR_SERVER_STATUS[fault.status], fault.status))
