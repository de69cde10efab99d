"""Every write the dashboard sends to Natural: its path and its exact request bytes.

The bytes are compact JSON in a fixed key order, so the same input always gives the same
bytes, and a resend is byte-identical to the first send. They are built once, stored with the
operation (operations.engine) and sent by the client (natural.client).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# The permissions a delegation invitation from this dashboard may ask for.
GRANTABLE_PERMISSIONS = ("payments.create", "payments.read", "wallets.read", "party.read")
CHUNK_SIZE = 100


def encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def format_instant(instant: datetime) -> str:
    """`2026-01-18T12:00:00.000Z`, the form the API documents."""
    utc = instant.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def invite_customers_path(agent_id: str) -> str:
    return f"/agents/{agent_id}/customers"


def invite_customers_body(
    recipients: list,
    permissions: list[str],
    per_transaction_cents: int | None,
    expires_at: datetime,
) -> bytes:
    attributes: dict[str, Any] = {
        "recipients": [{"type": r.type, "value": r.value} for r in recipients],
        "permissions": list(permissions),
    }
    if per_transaction_cents is not None:
        attributes["limits"] = {"perTransaction": per_transaction_cents}
    attributes["expiresAt"] = format_instant(expires_at)
    return encode({"data": {"attributes": attributes}})


def chunks(items: list, size: int = CHUNK_SIZE) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)]


@dataclass(frozen=True)
class ProposedAgent:
    agent_id: str
    permissions: tuple[str, ...]
    per_transaction_cents: int | None
    daily_cents: int | None
    monthly_cents: int | None


DELEGATION_INVITATIONS_PATH = "/agent-delegation-invitations"


def delegation_invitation_body(
    customer_email: str,
    permissions: list[str],
    proposed_agents: list[ProposedAgent],
    expires_in_days: int,
) -> bytes:
    # Seed 001: snake_case attributes, camelCase limit names inside them.
    return encode(
        {
            "data": {
                "attributes": {
                    "customer_email": customer_email,
                    "permissions": list(permissions),
                    "proposed_agents": [
                        {
                            "agent_id": agent.agent_id,
                            "permissions": list(agent.permissions),
                            "limits": {
                                "perTransaction": agent.per_transaction_cents,
                                "daily": agent.daily_cents,
                                "monthly": agent.monthly_cents,
                            },
                        }
                        for agent in proposed_agents
                    ],
                    "expires_in_days": expires_in_days,
                }
            }
        }
    )


def revoke_access_path(agent_id: str, customer_id: str) -> str:
    """DELETE: the agent can no longer act for the customer (no body, keyed)."""
    return f"/agents/{agent_id}/customers/{customer_id}"


def cancel_invitation_path(invitation_id: str) -> str:
    """DELETE: one pending invitation (no body, keyed)."""
    return f"/agents/invitations/{invitation_id}"


BULK_CANCEL_PATH = "/agents/invitations/revoke"


def bulk_cancel_body(invitation_ids: list[str]) -> bytes:
    """POST: many pending invitations; Natural documents no key for it."""
    return encode({"data": {"attributes": {"invitationIds": list(invitation_ids)}}})
