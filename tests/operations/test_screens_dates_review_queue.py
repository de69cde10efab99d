"""The review queue shows dates the way every other page does."""

from __future__ import annotations

from read_model import sync
from read_model.models import SyncRun
from tests.screens.moments import assert_one_date_format


def test_review_queue_dates_are_relative_with_the_exact_time_on_hover(natural, manager_client):
    sync.sync(SyncRun.Resource.AGENT_DELEGATIONS)
    page = manager_client.get("/delegations/review/")
    assert page.status_code == 200
    assert assert_one_date_format(page.text) > 0
