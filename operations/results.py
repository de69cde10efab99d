"""What a batch did for each recipient, and where Natural's errors belong on a form."""

from __future__ import annotations

import re
from dataclasses import dataclass

from natural.writes import CHUNK_SIZE
from operations.models import Batch, Operation, State

RECIPIENT_POINTER = re.compile(r"^/data/attributes/recipients/(\d+)(?:/.*)?$")


@dataclass(frozen=True)
class RecipientRow:
    number: int
    type: str
    value: str
    operation: Operation
    invitation_id: str | None = None
    email_failure: str | None = None
    error: str | None = None

    @property
    def outcome(self) -> str:
        if self.invitation_id:
            return "invited"
        if self.operation.state == State.FAILED:
            return "not invited"
        return self.operation.state


def batch_rows(batch: Batch, operations: list[Operation]) -> list[RecipientRow]:
    rows = []
    for operation in operations:
        rows.extend(_operation_rows(operation))
    return rows


def _operation_rows(operation: Operation) -> list[RecipientRow]:
    result = operation.result or {}
    created = {
        _identity(item["recipient"]): item["id"]
        for item in result.get("items", [])
        if isinstance(item.get("recipient"), dict)
    }
    reconciled = {
        _identity(item["recipient"]): item["id"]
        for item in (operation.reconciliation or {}).get("found", [])
        if isinstance(item.get("recipient"), dict)
    }
    failures = {
        item.get("invitationId"): item.get("reason") or "email not delivered"
        for item in result.get("emailFailures", [])
        if isinstance(item, dict)
    }
    errors_by_index, general = split_errors(result.get("errors", []))
    offset = (operation.chunk_index or 0) * CHUNK_SIZE
    rows = []
    for index, recipient in enumerate(operation.target.get("recipients", [])):
        identity = _identity(recipient)
        invitation_id = created.get(identity) or reconciled.get(identity)
        error = None
        if operation.state == State.FAILED:
            error = errors_by_index.get(index) or general or "Rejected by Natural."
        rows.append(
            RecipientRow(
                number=offset + index + 1,
                type=recipient["type"],
                value=recipient["value"],
                operation=operation,
                invitation_id=invitation_id,
                email_failure=failures.get(invitation_id) if invitation_id else None,
                error=error,
            )
        )
    return rows


def split_errors(errors: list[dict]) -> tuple[dict[int, str], str | None]:
    """Errors naming one recipient by index, and the first error naming none."""
    by_index: dict[int, str] = {}
    general = None
    for error in errors:
        match = RECIPIENT_POINTER.match(error.get("pointer") or "")
        if match:
            by_index.setdefault(int(match.group(1)), error.get("detail") or "")
        elif general is None:
            general = error.get("detail")
    return by_index, general


def _identity(recipient: dict) -> tuple[str, str]:
    kind, value = recipient.get("type", ""), recipient.get("value", "")
    return (kind, value.lower() if kind == "email" else value)


# Natural's source.pointer -> our form field, per form.
INVITE_FIELDS = (
    (re.compile(r"^/data/attributes/recipients"), "recipients"),
    (re.compile(r"^/data/attributes/permissions"), "permissions"),
    (re.compile(r"^/data/attributes/limits"), "per_transaction"),
    (re.compile(r"^/data/attributes/expiresAt"), "expires_on"),
)
INVITE_PARAMETERS = {"agentId": "agent"}

DELEGATION_FIELDS = (
    (re.compile(r"^/data/attributes/customer_email"), "customer_email"),
    (re.compile(r"^/data/attributes/permissions"), "permissions"),
    (re.compile(r"^/data/attributes/expires_in_days"), "expires_in_days"),
)
PROPOSED_AGENT_POINTER = re.compile(
    r"^/data/attributes/proposed_agents/(\d+)(?:/(?:limits/)?(\w+))?"
)
PROPOSED_AGENT_FIELDS = {
    "agent_id": "agent",
    "permissions": "permissions",
    "perTransaction": "per_transaction",
    "daily": "daily",
    "monthly": "monthly",
}


def field_for_pointer(pointer: str | None, table) -> str | None:
    for pattern, field_name in table:
        if pointer and pattern.match(pointer):
            return field_name
    return None


def general_message(error: dict) -> str:
    support = f" (support id {error['support_id']})" if error.get("support_id") else ""
    return f"Natural refused the request: {error.get('detail') or 'no detail given'}{support}"
