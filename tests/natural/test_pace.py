"""One pace for every batch sender: learned from Natural's headers, stopped together by a 429."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from natural import pace
from natural.client import AttemptInfo

pytestmark = pytest.mark.django_db

ANSWER = AttemptInfo(
    number=1,
    started_at=datetime.now(UTC),
    duration_ms=50,
    status=201,
    exception=None,
    retry_after=None,
    replayed=False,
    support_id=None,
)


class StoppedClock:
    """The pace's clock, moved only by its sleeps: turns do not depend on the machine's speed."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def now(self) -> datetime:
        return self.moment

    def sleep(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@pytest.fixture
def waits(monkeypatch):
    clock = StoppedClock()
    monkeypatch.setattr(pace, "sleep", lambda seconds: None)
    monkeypatch.setattr(pace, "timezone", clock)
    pace.forget()
    yield clock
    pace.forget()


def test_without_a_known_rate_senders_do_not_wait(waits):
    assert [pace.wait_turn() for _ in range(5)] == [0.0] * 5


def test_senders_share_the_rate_natural_announces(waits):
    pace.observe(replace(ANSWER, rate_limit=20, rate_remaining=19))
    turns = [pace.wait_turn() for _ in range(11)]
    # Ten turns later the eleventh sender waits half a second (20/s, a little headroom kept).
    assert turns[0] == 0.0
    assert turns[10] == pytest.approx(10 / (20 * pace.HEADROOM), abs=0.05)


def test_a_429_stops_every_sender_until_its_retry_after(waits):
    pace.observe(replace(ANSWER, status=429, retry_after=2.0))
    assert pace.wait_turn() == pytest.approx(2.0, abs=0.1)
    assert pace.wait_turn() == pytest.approx(2.0, abs=0.1), "every sender, not only the first"
