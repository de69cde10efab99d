"""What the write tests ask of the sandbox and of the pages: the writes Natural received, pending
invitations and active delegations to act on, recipients, the engine's arguments and form keys."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from natural import writes
from operations.models import Action
from operations.recipients import Recipient


def upstream_writes(natural) -> list:
    return [record for record in natural.request_log_snapshot() if record.method != "GET"]


def invitations_to(natural, values) -> list:
    wanted = set(values)
    return [i for i in natural.state.invitations if i.recipient.value in wanted]


def emails(count: int, start: int = 0) -> list[Recipient]:
    return [Recipient("email", f"person{n}@example.com") for n in range(start, start + count)]


def invite_arguments(admin, agent_id, recipients=None, key=None) -> dict:
    recipients = recipients or emails(3)
    return {
        "key": key or uuid.uuid4(),
        "actor": admin,
        "action": Action.INVITE_CUSTOMERS,
        "method": "POST",
        "path": writes.invite_customers_path(agent_id),
        "body": writes.invite_customers_body(
            recipients,
            ["payments.read"],
            10000,
            datetime.now(UTC).replace(microsecond=0) + timedelta(days=7),
        ),
        "idempotent": True,
        "target": {
            "agent_id": agent_id,
            "recipients": [{"type": r.type, "value": r.value} for r in recipients],
        },
    }


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


def invite_batch(actor, agent_id, *, parts: int, per_part: int, start: int = 0):
    """A batch of invitations committed with all its parts, none of them sent yet."""
    from operations import engine

    chunks = [emails(per_part, start=start + index * per_part) for index in range(parts)]
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    return engine.create_batch(
        key=uuid.uuid4(),
        actor=actor,
        action=Action.INVITE_CUSTOMERS,
        target={"agent_id": agent_id},
        summary={"recipients": parts * per_part},
        parts=[
            engine.Part(
                method="POST",
                path=writes.invite_customers_path(agent_id),
                body=writes.invite_customers_body(chunk, ["payments.read"], 10000, expires),
                idempotent=True,
                target={
                    "agent_id": agent_id,
                    "recipients": [{"type": r.type, "value": r.value} for r in chunk],
                },
            )
            for chunk in chunks
        ],
    )


def settle_parts(batch, *states: str) -> list:
    """Puts the batch's parts in these states, in order; a succeeded part invited everyone."""
    from operations.models import Operation

    parts = list(batch.operations.order_by("chunk_index"))
    for part, state in zip(parts, states, strict=False):
        invited = part.recipient_count if state == "succeeded" else 0
        Operation.objects.filter(pk=part.pk).update(state=state, created_count=invited)
    return parts
