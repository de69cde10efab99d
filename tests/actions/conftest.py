from __future__ import annotations

import re
import uuid

import pytest


def sent(natural, method: str | None = None) -> list:
    """Requests Natural received, writes only unless a method is given."""
    records = natural.request_log_snapshot()
    if method is None:
        return [record for record in records if record.method != "GET"]
    return [record for record in records if record.method == method]


def active_delegations(natural, count: int = 1) -> list:
    found = [adl for adl in natural.state.agent_delegations.newest_first() if not adl.is_revoked]
    return found[:count]


def pending_invitations(natural, count: int) -> list:
    now = natural.clock.now()
    found = [
        invitation
        for invitation in natural.state.invitations.newest_first()
        if invitation.effective_status(now) == "PENDING"
    ]
    return found[:count]


def rendered_key(html: str) -> str:
    match = re.search(r'name="key" value="([0-9a-f-]{36})"', html)
    assert match, "the confirmation carries its key"
    return match.group(1)


def new_key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def delegation(natural):
    return active_delegations(natural)[0]
