"""Cancel invitations: one with its key, many with Natural's bulk revoke and an honest count."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from operations.models import Action, Operation, State
from tests.operations.support import new_key, pending_invitations, rendered_key, sent

pytestmark = pytest.mark.django_db


def test_cancel_one_with_confirmation_and_reason(natural, manager_client):
    (invitation,) = pending_invitations(natural, 1)
    page = manager_client.get(reverse("invitation-cancel-confirm", args=[invitation.id]))
    assert page.status_code == 200
    assert invitation.id in page.content.decode()
    key = rendered_key(page.content.decode())
    url = reverse("invitation-cancel", args=[invitation.id])
    data = {"key": key, "reason": "Sent to the wrong address"}
    manager_client.post(url, data)
    manager_client.post(url, data)
    (write,) = sent(natural)
    assert (write.method, write.path, write.idempotency_key) == (
        "DELETE",
        f"/agents/invitations/{invitation.id}",
        key,
    )
    operation = Operation.objects.get(key=key)
    assert operation.action == Action.CANCEL_INVITATION
    assert operation.state == State.SUCCEEDED
    assert operation.target["reason"] == "Sent to the wrong address"
    assert invitation.status == "CANCELED"


def test_cancel_one_without_a_reason_sends_nothing(natural, manager_client):
    (invitation,) = pending_invitations(natural, 1)
    response = manager_client.post(
        reverse("invitation-cancel", args=[invitation.id]), {"key": new_key()}
    )
    assert response.status_code == 400
    assert natural.request_log_snapshot() == []


def test_cancel_one_from_the_row_swaps_the_cell(natural, manager_client):
    (invitation,) = pending_invitations(natural, 1)
    response = manager_client.post(
        reverse("invitation-cancel", args=[invitation.id]),
        {"key": new_key(), "reason": "Row"},
        headers={"HX-Request": "true", "HX-Target": f"cancel-cell-{invitation.id}"},
    )
    html = response.content.decode()
    assert f'id="cancel-cell-{invitation.id}"' in html
    assert "badge-canceled" in html


def bulk_select(invitations, statuses=None):
    return [f"{i.id}:{(statuses or {}).get(i.id, 'PENDING')}" for i in invitations]


def test_bulk_cancel_reports_what_natural_cancelled_against_the_selection(natural, manager_client):
    chosen = pending_invitations(natural, 5)
    already_accepted = chosen[3]
    natural.state.accept_invitation(already_accepted)
    selection = bulk_select(chosen, {already_accepted.id: "ACCEPTED"})
    confirm = manager_client.get(
        reverse("invitation-bulk-cancel-confirm"), {"invitation": selection}
    )
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert all(i.id in html for i in chosen)
    assert "not pending when selected" in html
    # Between the table and the confirmation, another one was accepted by its customer.
    changed_meanwhile = chosen[4]
    natural.state.accept_invitation(changed_meanwhile)

    key = rendered_key(html)
    response = manager_client.post(
        reverse("invitation-bulk-cancel"),
        {
            "key": key,
            "reason": "Campaign withdrawn",
            "invitation": [i.id for i in chosen],
            "selected_status": selection,
        },
    )
    assert response.status_code == 302
    (write,) = sent(natural)
    assert write.path == "/agents/invitations/revoke"
    operation = Operation.objects.get(key=key)
    assert operation.idempotent is False
    assert json.loads(operation.body_bytes)["data"]["attributes"]["invitationIds"] == [
        i.id for i in chosen
    ]
    result = manager_client.get(response["Location"]).content.decode()
    assert "Natural cancelled 3 of 5 selected" in result
    assert already_accepted.id in result
    assert "1 shown as pending was no longer pending" in result

    manager_client.post(reverse("invitation-bulk-cancel-reconcile", args=[key]))
    checked = manager_client.get(response["Location"]).content.decode()
    assert "Status check" in checked
    operation.refresh_from_db()
    assert set(operation.reconciliation["missing"]) == {already_accepted.id, changed_meanwhile.id}
    assert len(sent(natural)) == 1, "checking statuses never resends the cancel"


def test_bulk_cancel_is_never_resent_after_an_unknown_outcome(natural, manager_client):
    chosen = pending_invitations(natural, 3)
    natural.faults.add("drop_after", count=1, method="POST", path="/agents/invitations/revoke")
    key = new_key()
    data = {"key": key, "reason": "Flaky", "invitation": [i.id for i in chosen]}
    response = manager_client.post(reverse("invitation-bulk-cancel"), data)
    manager_client.post(reverse("invitation-bulk-cancel"), data)
    assert len(sent(natural)) == 1
    operation = Operation.objects.get(key=key)
    assert operation.state == State.UNKNOWN
    page = manager_client.get(response["Location"]).content.decode()
    assert "Check statuses" in page
    manager_client.post(reverse("invitation-bulk-cancel-reconcile", args=[key]))
    operation.refresh_from_db()
    assert operation.reconciliation["outcome"] == "found"
    assert len(sent(natural)) == 1


def test_bulk_cancel_without_a_reason_sends_nothing(natural, manager_client):
    chosen = pending_invitations(natural, 2)
    response = manager_client.post(
        reverse("invitation-bulk-cancel"),
        {"key": new_key(), "invitation": [i.id for i in chosen]},
    )
    assert response.status_code == 400
    assert natural.request_log_snapshot() == []
