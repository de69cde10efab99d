"""Idempotency-Key records: replay what was done, refuse reuse for something else.

Keys are scoped per caller (a hash of the bearer token) and kept 48 hours after the request
finished, measured on the sandbox clock. The record is reserved atomically before the
handler runs, so two concurrent requests with one key never both execute.
"""

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox.errors import ApiError, ErrorItem

REPLAY_WINDOW = timedelta(hours=48)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes


@dataclass
class _Record:
    fingerprint: str
    response: StoredResponse | None = None
    finished_at: datetime | None = None


def fingerprint(method: str, path: str, body: bytes) -> str:
    return f"{method} {path} {hashlib.sha256(body).hexdigest()}"


class IdempotencyStore:
    def __init__(self, window: timedelta = REPLAY_WINDOW) -> None:
        self.window = window
        self._records: dict[tuple[str, str], _Record] = {}
        self._lock = threading.Lock()

    def begin(
        self, scope: str, key: str, request_fingerprint: str, now: datetime
    ) -> StoredResponse | None:
        """The response to replay, or None once the key is reserved for this request.

        Raises 409 if the key belongs to another request or its first use is still running.
        """
        with self._lock:
            record = self._records.get((scope, key))
            if record is not None and self._expired(record, now):
                record = None
            if record is None:
                self._records[(scope, key)] = _Record(request_fingerprint)
                return None
            if record.fingerprint != request_fingerprint:
                raise _conflict(
                    "IDEMPOTENCY_KEY_REUSED",
                    "This Idempotency-Key was already used for a different request.",
                )
            if record.response is None:
                raise _conflict(
                    "IDEMPOTENCY_REQUEST_IN_PROGRESS",
                    "A request with this Idempotency-Key is still being processed.",
                )
            return record.response

    def finish(self, scope: str, key: str, response: StoredResponse, now: datetime) -> None:
        with self._lock:
            record = self._records[(scope, key)]
            record.response = response
            record.finished_at = now

    def release(self, scope: str, key: str) -> None:
        """Forget a reservation whose request was refused, so the key can be used again."""
        with self._lock:
            self._records.pop((scope, key), None)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def _expired(self, record: _Record, now: datetime) -> bool:
        return record.finished_at is not None and now - record.finished_at >= self.window


def _conflict(reason: str, detail: str) -> ApiError:
    return ApiError(
        ErrorItem("conflict", 409, detail, header="Idempotency-Key", meta={"reason": reason})
    )


def scope_for_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
