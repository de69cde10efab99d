"""Revoke and cancel, each write as one operation of the operations engine.

The key comes from the confirmation form; a second submit of that form finds the operation
already there and gets it back without a second call to Natural.
"""

from __future__ import annotations

import uuid

from operations import engine
from operations.catalog import declared
from operations.models import Action, Batch, Operation

REVOKE = declared(Action.REVOKE_AGENT_ACCESS)


def existing_batch(key: uuid.UUID) -> Batch | None:
    return Batch.objects.filter(key=key).first()


def delegation_target(delegation, reason: str) -> dict:
    limits = delegation.limits
    per_transaction = limits.per_transaction if limits else None
    return {
        "delegation_id": delegation.id,
        "agent_id": delegation.agent_id,
        "agent_name": delegation.agent_name,
        "customer_id": delegation.delegating_party_id,
        "customer_name": delegation.delegating_party_name,
        "permissions": list(delegation.permissions),
        "per_transaction": str(per_transaction) if per_transaction else None,
        "reason": reason,
    }


def revoke_access(*, key: uuid.UUID, actor, delegation, reason: str) -> Operation:
    """DELETE /agents/{agentId}/customers/{customerId}: the agent stops acting for the customer."""
    return engine.submit(
        key=key,
        actor=actor,
        action=Action.REVOKE_AGENT_ACCESS,
        target=delegation_target(delegation, reason),
        **REVOKE.request(delegation.agent_id, delegation.delegating_party_id),
    )


def prepare_bulk_revoke(
    *, key: uuid.UUID, actor, delegations, reason: str, selected: list[str]
) -> Batch:
    """Every pair's operation is committed before the first one is sent."""
    parts = [
        engine.Part(
            target=delegation_target(d, reason),
            **REVOKE.request(d.agent_id, d.delegating_party_id),
        )
        for d in delegations
    ]
    return engine.create_batch(
        key=key,
        actor=actor,
        action=Action.REVOKE_AGENT_ACCESS,
        target={"delegation_ids": [d.id for d in delegations], "reason": reason},
        summary={"selected": len(parts), "selected_ids": list(selected)},
        parts=parts,
    )


def send_next(batch: Batch) -> Operation | None:
    """Send the first part still pending; None when nothing is left to send."""
    pending = batch.operations.filter(state="pending").order_by("chunk_index").first()
    return engine.run(pending) if pending else None


def cancel_invitation(*, key: uuid.UUID, actor, invitation_id: str, reason: str) -> Operation:
    """DELETE /agents/invitations/{id}, keyed: Natural replays it on a resend."""
    return engine.submit(
        key=key,
        actor=actor,
        action=Action.CANCEL_INVITATION,
        target={"invitation_id": invitation_id, "reason": reason},
        **declared(Action.CANCEL_INVITATION).request(invitation_id),
    )


def cancel_invitations(
    *, key: uuid.UUID, actor, invitation_ids: list[str], statuses: dict[str, str], reason: str
) -> Operation:
    """POST /agents/invitations/revoke. Natural documents no key for it, so it is never resent
    on its own: an unknown outcome is reconciled by reading the invitations' statuses."""
    return engine.submit(
        key=key,
        actor=actor,
        action=Action.CANCEL_INVITATIONS,
        **declared(Action.CANCEL_INVITATIONS).request(invitation_ids=invitation_ids),
        target={
            "invitation_ids": list(invitation_ids),
            "statuses_when_selected": {i: statuses[i] for i in invitation_ids if i in statuses},
            "reason": reason,
        },
    )
