"""Natural's rate limit: a token bucket per credential (off unless asked for).

`--rate-limit N` gives the credential a bucket of N tokens refilled at N a second (one second's
burst). Each API request takes a token; with none left the answer is 429 `rate_limited` with
`Retry-After` (whole seconds, at least 1, as Natural's early SDK reads it). Every answer carries
`X-RateLimit-Limit` (N, the bucket's size and its refill per second), `X-RateLimit-Remaining`
(whole tokens left) and `X-RateLimit-Reset` (Unix seconds when the bucket is full again).
Natural publishes no numbers: the sandbox's choice is written in sandbox/README.md.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    headers: dict[str, str]
    retry_after: int = 0


class TokenBucket:
    def __init__(self, per_second: float, *, clock=time.monotonic, wall=time.time) -> None:
        if per_second <= 0:
            raise ValueError("the rate limit is a positive number of requests per second")
        self.rate = float(per_second)
        self.capacity = float(per_second)
        self._tokens = self.capacity
        self._clock = clock
        self._wall = wall
        self._last = clock()
        self._lock = threading.Lock()

    def take(self) -> Verdict:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            allowed = self._tokens >= 1
            if allowed:
                self._tokens -= 1
            tokens = self._tokens
        full_in = (self.capacity - tokens) / self.rate
        headers = {
            "X-RateLimit-Limit": str(int(self.capacity)),
            "X-RateLimit-Remaining": str(int(tokens)),
            "X-RateLimit-Reset": str(math.ceil(self._wall() + full_in)),
        }
        if allowed:
            return Verdict(True, headers)
        retry_after = max(1, math.ceil((1 - tokens) / self.rate))
        return Verdict(False, {**headers, "Retry-After": str(retry_after)}, retry_after)
