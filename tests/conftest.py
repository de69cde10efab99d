from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from dashboard.roles import ROLES

pytest_plugins = ["tests.fixtures.natural", "tests.fixtures.token_guard"]

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def make_user(django_user_model):
    def make(role: str | None, username: str | None = None):
        user = django_user_model.objects.create_user(
            username=username or (role or "nobody"), password=PASSWORD
        )
        if role:
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
