"""Every write the dashboard can make, declared once.

Each declaration says who may send it (and retry or reconcile it), how its request is built
(the path and body functions in delegations.writes), whether Natural deduplicates it by key,
what its target records, how an unsettled outcome is looked up in Natural, and the words its
outcome is shown with. The engine, the confirm pages and the audit log all read it from here.

    action                        who     request (delegations.writes)         keyed  reconcile
    invite_customers              invite  POST invite_customers_path + body     yes    recipients
    create_delegation_invitation  invite  POST DELEGATION_INVITATIONS_PATH      no     email
    revoke_agent_access           revoke  DELETE revoke_access_path             yes    the pair
    cancel_invitation             cancel  DELETE cancel_invitation_path         yes    status
    cancel_invitations            cancel  POST BULK_CANCEL_PATH + body          no     statuses

Review marks never reach Natural (operations.review_marks), so they are not operations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dashboard import roles
from natural import writes
from operations import finders
from operations.models import Action, Operation, State


@dataclass(frozen=True)
class Write:
    action: str
    permission: str
    method: str
    path: Callable[..., str] | str
    body: Callable[..., bytes] | None
    # Natural replays a key it already processed, so the same key and bytes may be resent.
    idempotent: bool
    finder: finders.Finder | None
    # "the cancel of invitation adi_…", from the operation's target.
    subject: Callable[[dict[str, Any]], str]
    # "Invitation adi_… canceled."
    done: Callable[[dict[str, Any]], str]

    def request(self, *path_args, **body_args) -> dict[str, Any]:
        """The engine's arguments for one request: method, path, exact body, keyed or not."""
        path = self.path(*path_args) if callable(self.path) else self.path
        body = self.body(**body_args) if self.body is not None else b""
        return {"method": self.method, "path": path, "body": body, "idempotent": self.idempotent}

    def outcome(self, operation: Operation) -> tuple[str, str]:
        """(level, sentence) for a message after a confirm: success, warning or error."""
        subject = self.subject(operation.target)
        if operation.state == State.SUCCEEDED:
            return "success", self.done(operation.target)
        if operation.state == State.FAILED:
            detail = operation.result.get("message") or "no reason given"
            return "error", f"Natural refused {subject}: {detail}"
        if operation.is_being_sent:
            return "info", (
                f"{_first_upper(subject)} is being sent now (this form was submitted twice); "
                f"its outcome will show on operation {operation.key} in the audit log."
            )
        if operation.not_sent:
            return "warning", (
                f"Natural did not take {subject}; nothing was done. Send it again from "
                f"operation {operation.key} in the audit log."
            )
        return "warning", (
            f"{_first_upper(subject)} may or may not have happened (operation {operation.key}). "
            "Open it in the audit log to retry or reconcile."
        )


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _who(target: dict) -> str:
    return str(target.get("agent_name") or target.get("agent_id") or "the agent")


def _whom(target: dict) -> str:
    return str(target.get("customer_name") or target.get("customer_id") or "the customer")


def _recipients(target: dict) -> str:
    count = len(target.get("recipients", []))
    return f"{count} recipient{'s' if count != 1 else ''}"


def _invitations(target: dict) -> str:
    count = len(target.get("invitation_ids", []))
    return f"{count} invitation{'s' if count != 1 else ''}"


WRITES: dict[str, Write] = {
    write.action: write
    for write in (
        Write(
            action=Action.INVITE_CUSTOMERS,
            permission=roles.INVITE,
            method="POST",
            path=writes.invite_customers_path,
            body=writes.invite_customers_body,
            idempotent=True,
            finder=finders.find_customer_invitations,
            subject=lambda t: f"the invitation of {_recipients(t)} to agent {t.get('agent_id')}",
            done=lambda t: f"Invited {_recipients(t)} to agent {t.get('agent_id')}.",
        ),
        Write(
            action=Action.CREATE_DELEGATION_INVITATION,
            permission=roles.INVITE,
            method="POST",
            path=writes.DELEGATION_INVITATIONS_PATH,
            body=writes.delegation_invitation_body,
            idempotent=False,
            finder=finders.find_delegation_invitations,
            subject=lambda t: f"the delegation invitation to {t.get('customer_email')}",
            done=lambda t: f"Delegation invitation sent to {t.get('customer_email')}.",
        ),
        Write(
            action=Action.REVOKE_AGENT_ACCESS,
            permission=roles.REVOKE,
            method="DELETE",
            path=writes.revoke_access_path,
            body=None,
            idempotent=True,
            finder=finders.find_revoked_access,
            subject=lambda t: f"the revoke of {_who(t)}'s access to {_whom(t)}",
            done=lambda t: f"Revoked {_who(t)}'s access to {_whom(t)}.",
        ),
        Write(
            action=Action.CANCEL_INVITATION,
            permission=roles.CANCEL,
            method="DELETE",
            path=writes.cancel_invitation_path,
            body=None,
            idempotent=True,
            finder=finders.find_cancelled_invitation,
            subject=lambda t: f"the cancel of invitation {t.get('invitation_id')}",
            done=lambda t: f"Invitation {t.get('invitation_id')} canceled.",
        ),
        Write(
            action=Action.CANCEL_INVITATIONS,
            permission=roles.CANCEL,
            method="POST",
            path=writes.BULK_CANCEL_PATH,
            body=writes.bulk_cancel_body,
            idempotent=False,
            finder=finders.find_cancelled_invitations,
            subject=lambda t: f"the cancel of {_invitations(t)}",
            done=lambda t: f"Canceled {_invitations(t)}.",
        ),
    )
}


def declared(action: str) -> Write:
    return WRITES[action]


def may_act(user, action: str) -> bool:
    """Who may send, retry or reconcile this kind of write."""
    write = WRITES.get(action)
    return write is not None and user.has_perm(write.permission)
