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
    turns = [pace.wait_turn() for _ in range(31)]
    # About half the bucket goes at once (Natural's bucket starts full), then one turn every
    # 1/20 s (a little headroom kept): the 31st turn waits for the 21 or so after the burst.
    per_second = 20 * pace.HEADROOM
    assert turns[:9] == [0.0] * 9
    assert turns[30] == pytest.approx((30 - (per_second / 2 - 1)) / per_second, abs=0.01)


def test_senders_that_fell_behind_catch_up_with_half_the_bucket_never_more(waits):
    pace.observe(replace(ANSWER, rate_limit=20, rate_remaining=19))
    for _ in range(40):
        pace.wait_turn()  # in step with the rate
    waits.sleep(3.0)  # no sender was ready for three seconds: Natural refilled its bucket
    turns = [pace.wait_turn() for _ in range(20)]
    at_once = turns.index(next(turn for turn in turns if turn > 0))
    assert 8 <= at_once <= 10, "half the bucket of 20, not the sixty turns missed"
    assert turns[at_once + 5] == pytest.approx(turns[at_once] + 5 / (20 * pace.HEADROOM), abs=0.01)


def test_a_429_stops_every_sender_until_its_retry_after(waits):
    pace.observe(replace(ANSWER, status=429, retry_after=2.0))
    assert pace.wait_turn() == pytest.approx(2.0, abs=0.1)
    assert pace.wait_turn() == pytest.approx(2.0, abs=0.1), "every sender, not only the first"
