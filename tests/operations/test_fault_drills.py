"""Fault drills: every fault the sandbox can inject, against one invitation each.

For each fault the operation ends known (or is made known by retrying with the same key), no
operation is lost, and Natural holds exactly one invitation for the recipient.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from operations import engine
from operations.models import Operation
from sandbox.testing import SandboxTransport

pytestmark = pytest.mark.django_db

FAULTS = [
    ("latency", {"kind": "latency", "seconds": 0.2}),
    ("429 with Retry-After", {"kind": "rate_limit", "retry_after": 1}),
    ("500", {"kind": "error", "status": 500}),
    ("502 burst", {"kind": "error", "status": 502, "count": 3}),
    ("503 burst", {"kind": "error", "status": 503, "count": 3}),
    ("dropped before handling", {"kind": "drop_before"}),
    ("dropped after the commit", {"kind": "drop_after"}),
    ("sandbox stopped", None),
]


def invite_body(email: str) -> bytes:
    attributes = {
        "recipients": [{"type": "email", "value": email}],
        "permissions": ["payments.read"],
        "limits": {"perTransaction": 10000},
    }
    return json.dumps({"data": {"attributes": attributes}}).encode()


def invitations_for(natural, email: str) -> int:
    return sum(1 for i in natural.state.invitations if i.recipient.value == email)


def refuse_connection(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def drill(natural, user, agent_id: str, name: str, fault: dict | None) -> Operation:
    from delegations import client

    email = f"drill.{uuid.uuid4().hex[:8]}@example.com"
    if fault is None:
        client.use_transport(httpx.MockTransport(refuse_connection))
    else:
        fault = dict(fault)
        kind, count = fault.pop("kind"), fault.pop("count", 1)
        natural.faults.add(kind, count=count, path=r"^/agents/agt_[0-9a-f]+/customers$", **fault)
    operation = engine.submit(
        key=uuid.uuid4(),
        actor=user,
        action="invite_customers",
        method="POST",
        path=f"/agents/{agent_id}/customers",
        body=invite_body(email),
        idempotent=True,
        target={"agent": agent_id, "drill": name},
    )
    if fault is None:
        client.use_transport(SandboxTransport(natural))
    natural.faults.clear()
    if operation.state != "succeeded":
        operation = engine.retry(operation)
    operation.target["email"] = email
    return operation


def test_no_fault_loses_or_duplicates_an_invitation(natural, make_user, capsys):
    user = make_user("admin")
    agent_id = next(iter(natural.state.agents)).id
    duplicates = lost = 0
    for name, fault in FAULTS:
        operation = drill(natural, user, agent_id, name, fault)
        count = invitations_for(natural, operation.target["email"])
        duplicates += max(count - 1, 0)
        lost += int(count == 0 or not Operation.objects.filter(pk=operation.pk).exists())
        assert operation.state == "succeeded", (name, operation.state, operation.result)
        assert count == 1, (name, count)
        sent = {a.body_sha256 for a in operation.attempts.all()}
        assert sent == {operation.body_sha256}, name
    with capsys.disabled():
        print(
            f"\nfault drills: {len(FAULTS)} faults, {Operation.objects.count()} operations, "
            f"{duplicates} duplicates, {lost} lost"
        )
    assert (duplicates, lost) == (0, 0)
