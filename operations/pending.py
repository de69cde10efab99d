"""Who on a new batch already has a pending invitation from the same agent, looked up at Natural.

Two forms naming the same people would otherwise invite them twice (each form has its own key,
so Natural cannot know). The look-up walks the agent's pending invitations, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass

from natural import reads
from operations.recipients import Recipient

PAGE_SIZE = 100
# 5,000 pending invitations of one agent; past that the preview says the check was partial.
MAX_PAGES = 50


@dataclass(frozen=True)
class PendingCheck:
    already_invited: tuple[Recipient, ...]
    complete: bool


def already_invited(agent_id: str, recipients: list[Recipient]) -> PendingCheck:
    wanted = {recipient.identity: recipient for recipient in recipients}
    found: dict[tuple[str, str], Recipient] = {}
    pages = reads.iter_pages(
        reads.list_agent_invitations,
        max_pages=MAX_PAGES,
        agent_id=agent_id,
        statuses=["PENDING"],
        limit=PAGE_SIZE,
    )
    for page in pages:
        for invitation in page.items:
            for identity in invitation_identities(invitation):
                if identity in wanted:
                    found.setdefault(identity, wanted[identity])
        if not page.has_more or len(found) == len(wanted):
            return PendingCheck(_in_order(recipients, found), complete=True)
    return PendingCheck(_in_order(recipients, found), complete=False)


def invitation_identities(invitation) -> list[tuple[str, str]]:
    """The ways a listed invitation can name its recipient (the list shows email and party)."""
    identities = []
    if invitation.recipient_type and invitation.recipient_value:
        identities.append(Recipient(invitation.recipient_type, invitation.recipient_value).identity)
    if invitation.email:
        identities.append(Recipient("email", invitation.email).identity)
    if invitation.customer_party_id:
        identities.append(Recipient("party_id", invitation.customer_party_id).identity)
    return identities


def _in_order(recipients, found) -> tuple[Recipient, ...]:
    return tuple(recipient for recipient in recipients if recipient.identity in found)
