"""Who on a new batch already has a pending invitation from the same agent.

Two forms naming the same people would otherwise invite them twice (each form has its own key,
so Natural cannot know). At 100,000 recipients the check cannot walk Natural's lists on every
preview: it reads the read model's copy of the agent's pending invitations (one query), after
bringing it up to date for that agent with Natural's newest pending invitations of the agent
(NEWEST_PAGES pages, read now: what was invited since the last pass is there). The preview says
how fresh the answer is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from natural import reads
from operations.recipients import Recipient
from read_model import query
from read_model.models import IndexedAgentInvitation
from read_model.resources import AGENT_INVITATIONS

PAGE_SIZE = 100
# The agent's newest pending invitations read from Natural at each check.
NEWEST_PAGES = 3


@dataclass(frozen=True)
class PendingCheck:
    already_invited: tuple[Recipient, ...]
    # The read model's copy is complete (a full pass finished) as of this moment, or None.
    complete_as_of: datetime | None
    # When the agent's newest pending invitations were read from Natural.
    newest_read_at: datetime

    @property
    def complete(self) -> bool:
        return self.complete_as_of is not None


def already_invited(agent_id: str, recipients: list[Recipient]) -> PendingCheck:
    wanted = {recipient.identity for recipient in recipients}
    found: set[tuple[str, str]] = set()
    newest_read_at = timezone.now()
    for page in reads.iter_pages(
        reads.list_agent_invitations,
        max_pages=NEWEST_PAGES,
        agent_id=agent_id,
        statuses=["PENDING"],
        limit=PAGE_SIZE,
    ):
        for invitation in page.items:
            found.update(i for i in invitation_identities(invitation) if i in wanted)
    copied = IndexedAgentInvitation.objects.filter(
        agent_id=agent_id, effective_status="PENDING"
    ).values_list("recipient_type", "recipient_value", "email", "customer_party_id")
    for kind, value, email, party in copied.iterator(chunk_size=5000):
        for identity in identities(kind, value, email, party):
            if identity in wanted:
                found.add(identity)
    return PendingCheck(
        already_invited=tuple(r for r in recipients if r.identity in found),
        complete_as_of=query.freshness(AGENT_INVITATIONS.name).complete_as_of,
        newest_read_at=newest_read_at,
    )


def invitation_identities(invitation) -> list[tuple[str, str]]:
    """The ways a listed invitation can name its recipient (the list shows email and party)."""
    return identities(
        invitation.recipient_type,
        invitation.recipient_value,
        invitation.email,
        invitation.customer_party_id,
    )


def identities(kind, value, email, party) -> list[tuple[str, str]]:
    found = []
    if kind and value:
        found.append(Recipient(kind, value).identity)
    if email:
        found.append(Recipient("email", email).identity)
    if party:
        found.append(Recipient("party_id", party).identity)
    return found
