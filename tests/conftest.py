from __future__ import annotations

import pytest

pytest_plugins = [
    "tests.fixtures.users",
    "tests.fixtures.natural",
    "tests.fixtures.token_guard",
    "tests.fixtures.oidc_provider",
    "tests.fixtures.drill_tally",
    "tests.fixtures.read_model",
]


def pytest_configure(config):
    """Tests make many users: the deliberately slow production hasher would dominate the run.
    The live server of the browser journeys runs in this process, so it checks these too."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run where they are enqueued, so a test sees a batch sent when its confirm returns;
    # tests/operations/test_queue.py and the drills run real workers.
    settings.TASKS = {
        "default": {"BACKEND": settings.TASK_BACKENDS["immediate"], "QUEUES": ["default"]}
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    yield
    # The test database is dropped after this: on PostgreSQL that fails ("is being accessed by
    # other users") while a background thread still holds a connection to it. The call log's
    # writer and the fan-out pool each close theirs once their work is done: let them finish.
    from natural import call_log, fanout

    with django_db_blocker.unblock():
        pool = getattr(fanout, "_executor", None)
        if pool is not None:
            pool.shutdown(wait=True)
        call_log.flush()  # after the pool: its last calls queue rows too
