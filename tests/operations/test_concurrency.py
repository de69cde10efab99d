"""Two requests with one key at the same moment: only one of them sends (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from operations import engine
from operations.models import Operation, State
from tests.operations.support import emails, invite_arguments, upstream_writes

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks between threads need PostgreSQL; SQLite serialises whole writes",
    ),
]


def test_two_concurrent_submits_with_one_key_make_one_call(natural, admin, agent_id):
    arguments = invite_arguments(admin, agent_id, emails(2, start=300))
    start = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            start.wait()
            outcomes.append(engine.submit(**arguments).state)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Operation.objects.count() == 1
    assert len(upstream_writes(natural)) == 1
    assert State.SUCCEEDED in outcomes
