"""The token guard itself: it must notice a leak, or the scan proves nothing."""

from __future__ import annotations

import pytest

from tests.fixtures.token_guard import _Guard

TOKEN = "a-natural-token-that-must-not-leak"


def test_a_token_in_a_log_line_fails_the_test(settings):
    settings.NATURAL_API_TOKEN = TOKEN
    guard = _Guard()
    guard.recorder.lines.append(f"GET /customers Authorization: Bearer {TOKEN}")
    with pytest.raises(AssertionError, match="log line"):
        guard.check(uses_database=False)


@pytest.mark.django_db
def test_a_token_in_a_response_is_noticed(client, settings, request):
    settings.NATURAL_API_TOKEN = TOKEN
    client.get(f"/login/?next=/{TOKEN}")  # the login form echoes `next` back
    guard = request.node.token_guard
    assert guard.leaks == ["response to /login/"]
    guard.leaks.clear()
