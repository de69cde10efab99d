from __future__ import annotations

import pytest

from natural.reads import list_agents


@pytest.fixture
def warm_natural(natural):
    """The sandbox with the agents list already cached."""
    list_agents()
    return natural


@pytest.fixture
def browser_as(make_user):
    """A fresh client (its own cookies, like another browser) signed in as a role's user."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    def sign_in(role: str) -> Client:
        user = get_user_model().objects.filter(username=role).first() or make_user(role)
        browser = Client()
        browser.force_login(user)
        return browser

    return sign_in


@pytest.fixture
def admin_client(browser_as):
    return browser_as("admin")


@pytest.fixture
def manager_client(browser_as):
    return browser_as("manager")


@pytest.fixture
def support_client(browser_as):
    return browser_as("support")
