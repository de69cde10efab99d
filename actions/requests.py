"""The exact paths and bodies of the revoke and cancel writes."""

from __future__ import annotations

from operations.payloads import encode

BULK_CANCEL_PATH = "/agents/invitations/revoke"


def revoke_access_path(agent_id: str, customer_id: str) -> str:
    return f"/agents/{agent_id}/customers/{customer_id}"


def cancel_invitation_path(invitation_id: str) -> str:
    return f"/agents/invitations/{invitation_id}"


def bulk_cancel_body(invitation_ids: list[str]) -> bytes:
    return encode({"data": {"attributes": {"invitationIds": list(invitation_ids)}}})
