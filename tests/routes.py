"""Every named URL of the dashboard, and a path to try for each: the role matrix and the hostile
query strings walk the same list, so a new page is covered by both."""

from __future__ import annotations

import re
import uuid

from django.urls import URLPattern, URLResolver, get_resolver

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
