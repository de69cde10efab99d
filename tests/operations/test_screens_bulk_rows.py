"""Bulk confirm and result pages say who each row is: email, agent and status, not only ids."""

from __future__ import annotations

from django.urls import reverse

from tests.operations.support import pending_invitations, rendered_key


def agent_name(natural, invitation) -> str:
    return natural.state.agents.get(invitation.agent_id).name


def test_bulk_cancel_confirm_and_result_show_email_agent_and_status(natural, manager_client):
    chosen = [i for i in pending_invitations(natural, 20) if i.recipient.type == "email"][:3]
    selection = [f"{i.id}:PENDING" for i in chosen]
    confirm = manager_client.get(
        reverse("invitation-bulk-cancel-confirm"), {"invitation": selection}
    ).content.decode()
    for invitation in chosen:
        assert invitation.recipient.value in confirm
        assert agent_name(natural, invitation) in confirm
    assert "Pending" in confirm

    response = manager_client.post(
        reverse("invitation-bulk-cancel"),
        {
            "key": rendered_key(confirm),
            "reason": "Campaign withdrawn",
            "invitation": [i.id for i in chosen],
            "selected_status": selection,
        },
    )
    result = manager_client.get(response["Location"]).content.decode()
    for invitation in chosen:
        assert invitation.recipient.value in result
        assert agent_name(natural, invitation) in result
    assert "Canceled" in result
