import pytest


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts logins per address (30 a minute) in Django's cache, which outlives a test:
    every sign-in test starts with none counted."""
    from django.core.cache import cache

    cache.clear()
