from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from dashboard.roles import ROLES

pytest_plugins = [
    "tests.fixtures.natural",
    "tests.fixtures.token_guard",
    "tests.fixtures.oidc_provider",
    "tests.fixtures.drill_tally",
]

PASSWORD = "a-long-test-password-42"


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


def restore_roles() -> None:
    """A transactional test flushes the database, and with it the permissions and role groups
    the migration made; the next test that needs a role puts them back."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission

    create_permissions(apps.get_app_config("dashboard"), verbosity=0)
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="dashboard", codename__in=codenames)
        )


@pytest.fixture
def make_user(django_user_model):
    def make(role: str | None, username: str | None = None):
        user = django_user_model.objects.create_user(
            username=username or (role or "nobody"), password=PASSWORD
        )
        if role:
            if not Group.objects.filter(name=role).exists():
                restore_roles()
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture(params=sorted(ROLES))
def any_role(request) -> str:
    return request.param


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("admin"))
    return client


@pytest.fixture
def manager_client(client, make_user):
    client.force_login(make_user("manager"))
    return client


@pytest.fixture
def support_client(client, make_user):
    client.force_login(make_user("support"))
    return client
