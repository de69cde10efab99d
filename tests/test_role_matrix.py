"""Every URL × every role: no page breaks, and a refusal never reaches Natural.

Anonymous access is covered by tests/dashboard/test_access.py (every URL redirects to login).
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from dashboard.roles import ROLES

pytestmark = pytest.mark.django_db
PUBLIC = {"login", "logout", "healthz", "readyz"}


def routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name not in PUBLIC:
                yield pattern.name, prefix + str(pattern.pattern)

    return sorted(set(walk(get_resolver().url_patterns)))


def sample_path(route: str, natural) -> str:
    invitation = next(iter(natural.state.invitations))
    delegation = next(iter(natural.state.agent_delegations))
    customer = next(iter(natural.state.customers))
    samples = {
        "adi_id": invitation.id,
        "adl_id": delegation.id,
        "pty_id": customer.party.id,
        "pk": "1",
        "name": "expiring",
        "key": str(uuid.uuid4()),
    }
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: samples[m.group(1)], route)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_url_answers_each_role_without_error_and_refusals_send_nothing(
    role, natural, client, make_user, monkeypatch
):
    # The refresh button's walk runs in a thread; left running, its calls would be counted
    # against whichever URL is asked next.
    monkeypatch.setattr("read_model.sync.launch", lambda run: None)
    client.force_login(make_user(role))
    problems = []
    for name, route in routes():
        path = sample_path(route, natural)
        for method in ("get", "post"):
            natural.clear_request_log()
            response = getattr(client, method)(path)
            if response.status_code >= 500 and response.status_code not in (502, 503, 504):
                problems.append(f"{method.upper()} {name}: {response.status_code}")
            if response.status_code in (403, 405) and natural.request_log:
                problems.append(f"{method.upper()} {name}: refused but called Natural")
    assert not problems, problems


def test_support_is_refused_every_write(natural, client, make_user):
    client.force_login(make_user("support"))
    writes = [
        (name, route)
        for name, route in routes()
        if (
            any(word in name for word in ("revoke", "cancel", "retry", "reconcile", "refresh"))
            # "Sign-in cancelled at the identity provider" is a page, not a write.
            and not name.startswith("socialaccount_")
        )
        or name.endswith("-new")
        or name in ("delegation-review-mark", "batch-send-remaining")
    ]
    assert len(writes) >= 10
    for name, route in writes:
        natural.clear_request_log()
        response = client.post(sample_path(route, natural))
        # An operation's retry/reconcile checks the permission of that operation's action,
        # so an operation that does not exist is a 404 before any permission question.
        expected = {403, 404} if "<int:pk>" in route else {403}
        assert response.status_code in expected, (name, response.status_code)
        assert natural.request_log == [], name
