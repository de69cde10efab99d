"""Signed webhooks from the sandbox, sent as a real sender sends them: Standard Webhooks
signatures (by the `standardwebhooks` library), retries with exponential backoff, some
deliveries sent twice, deliveries overtaking each other, and a signing secret that can be
rotated (both secrets sign during the grace period).

Which state change sends which event is a sandbox choice (see the README): only the
documented types this product uses, `party.updated` and `party.delegation_granted`.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks import Webhook

from sandbox.clock import format_ms
from sandbox.ids import new_id

PARTY_UPDATED = "party.updated"
PARTY_DELEGATION_GRANTED = "party.delegation_granted"
TIMEOUT_SECONDS = 10.0
LOG_KEPT = 5000


@dataclass
class Settings:
    url: str
    secret: str
    attempts: int = 8  # deliveries of one event before it is given up
    backoff: float = 1.0  # seconds before the first retry; doubled each time (plus jitter)
    duplicates: float = 0.0  # share of events delivered twice
    reorder: float = 0.0  # up to this many seconds of random delay per event: order is lost
    enabled: bool = True


@dataclass(order=True)
class _Due:
    at: float
    seq: int
    event: dict[str, Any] = field(compare=False)
    attempt: int = field(compare=False, default=1)


@dataclass(frozen=True)
class Attempt:
    """One delivery attempt, as GET /__sandbox/webhooks lists it."""

    event_id: str
    type: str
    resource_id: str
    attempt: int
    status: int | None  # None: no answer (refused, timeout)
    error: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "eventId": self.event_id,
            "type": self.type,
            "resourceId": self.resource_id,
            "attempt": self.attempt,
            "status": self.status,
            "error": self.error,
            "at": format_ms(self.at),
        }


class WebhookSender:
    """Queues events and delivers them from one background thread."""

    def __init__(
        self,
        settings: Settings,
        *,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        Webhook(settings.secret)  # a secret the library cannot read fails here, not later
        self.settings = settings
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
        self._old_secret: str | None = None
        self._old_until = 0.0
        self._queue: list[_Due] = []
        self._seq = itertools.count()
        self._lock = threading.Condition()
        self._busy = 0
        self._stopped = False
        self.log: list[Attempt] = []
        self._http = httpx.Client(transport=transport, timeout=TIMEOUT_SECONDS)
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    # Producing

    def emit(self, event_type: str, resource_type: str, resource_id: str, data: Any, now) -> str:
        """Queue one event; returns its id. Called with the store locked."""
        event = {
            "id": new_id("evt", self._rng),
            "object": "event",
            "type": event_type,
            "resourceId": resource_id,
            "resourceType": resource_type,
            "createdAt": format_ms(now),
            "data": {"object": data},
        }
        if not self.settings.enabled:
            return event["id"]
        with self._lock:
            at = time.monotonic() + self._rng.uniform(0, self.settings.reorder)
            heapq.heappush(self._queue, _Due(at, next(self._seq), event))
            if self._rng.random() < self.settings.duplicates:
                later = at + self._rng.uniform(0, max(self.settings.reorder, 0.2))
                heapq.heappush(self._queue, _Due(later, next(self._seq), event))
            self._lock.notify()
        return event["id"]

    def rotate(self, new_secret: str, grace_seconds: float) -> None:
        """Sign with `new_secret` from now on, and with the old one as well for the grace
        period, so a receiver that has not taken the new secret yet still verifies."""
        Webhook(new_secret)
        with self._lock:
            self._old_secret = self.settings.secret
            self._old_until = time.monotonic() + grace_seconds
            self.settings.secret = new_secret

    def configure(self, **changes: Any) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(self.settings, name, value)

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is queued or being sent (tests and drills); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(min(left, 0.05))
        return True

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self.log.clear()

    def close(self) -> None:
        with self._lock:
            self._stopped = True
            self._lock.notify_all()
        self._thread.join(timeout=5)
        self._http.close()

    # Delivering

    def signatures(self, event_id: str, at: datetime, body: str) -> str:
        secrets = [self.settings.secret]
        if self._old_secret and time.monotonic() < self._old_until:
            secrets.append(self._old_secret)
        return " ".join(Webhook(secret).sign(event_id, at, body) for secret in secrets)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._stopped and (
                    not self._queue or self._queue[0].at > time.monotonic()
                ):
                    wait = self._queue[0].at - time.monotonic() if self._queue else None
                    self._lock.wait(wait if wait is None else max(wait, 0.001))
                if self._stopped:
                    return
                due = heapq.heappop(self._queue)
                self._busy += 1
            try:
                self._deliver(due)
            finally:
                with self._lock:
                    self._busy -= 1
                    self._lock.notify_all()

    def _deliver(self, due: _Due) -> None:
        event = due.event
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        now = datetime.now(UTC)  # the signature's time is the sender's wall clock
        with self._lock:
            headers = {
                "content-type": "application/json",
                "webhook-id": event["id"],
                "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": self.signatures(event["id"], now, body),
            }
            url = self.settings.url
        status, error = None, ""
        try:
            status = self._http.post(url, content=body.encode(), headers=headers).status_code
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        self._record(
            Attempt(
                event["id"], event["type"], event["resourceId"], due.attempt, status, error, now
            )
        )
        if status is not None and 200 <= status < 300:
            return
        if due.attempt >= self.settings.attempts:
            return  # given up, as real senders do after their last retry
        delay = self.settings.backoff * 2 ** (due.attempt - 1)
        delay *= self._rng.uniform(0.8, 1.2)
        with self._lock:
            heapq.heappush(
                self._queue,
                _Due(time.monotonic() + delay, next(self._seq), event, due.attempt + 1),
            )
            self._lock.notify()

    def _record(self, attempt: Attempt) -> None:
        with self._lock:
            self.log.append(attempt)
            del self.log[:-LOG_KEPT]
