"""Revoke one agent's access to a customer: confirmation, reason, one call, the row updated."""

from __future__ import annotations

import pytest
from django.urls import reverse

from operations.models import Action, Operation, State
from operations.reconcile import reconcile
from tests.operations.support import new_key, rendered_key, sent

pytestmark = pytest.mark.django_db


def confirm_url(adl_id: str) -> str:
    return reverse("delegation-revoke-confirm", args=[adl_id])


def revoke_url(adl_id: str) -> str:
    return reverse("delegation-revoke", args=[adl_id])


def test_confirmation_names_agent_customer_permissions_and_limits(
    natural, manager_client, delegation
):
    response = manager_client.get(confirm_url(delegation.id))
    assert response.status_code == 200
    html = response.content.decode()
    agent = natural.state.agent(delegation.agent_id)
    customer = natural.state.customer(delegation.customer_id)
    assert agent.name in html or agent.name.replace("<", "&lt;")[:10] in html
    assert customer.party.id in html
    for permission in delegation.permissions:
        assert permission in html
    assert 'name="reason"' in html
    assert sent(natural) == [], "confirming sends nothing"


def test_confirming_with_a_reason_revokes_once_and_keeps_the_reason(
    natural, manager_client, delegation
):
    key = rendered_key(manager_client.get(confirm_url(delegation.id)).content.decode())
    response = manager_client.post(
        revoke_url(delegation.id),
        {"key": key, "reason": "Customer asked by phone", "next": "/delegations/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/delegations/"
    (write,) = sent(natural)
    assert write.method == "DELETE"
    assert write.path == f"/agents/{delegation.agent_id}/customers/{delegation.customer_id}"
    assert write.idempotency_key == key
    operation = Operation.objects.get(key=key)
    assert operation.action == Action.REVOKE_AGENT_ACCESS
    assert operation.state == State.SUCCEEDED
    assert operation.target["reason"] == "Customer asked by phone"
    assert operation.target["delegation_id"] == delegation.id
    assert natural.state.agent_delegation(delegation.id).is_revoked


def test_double_submit_sends_once(natural, manager_client, delegation):
    key = new_key()
    data = {"key": key, "reason": "Duplicate click"}
    first = manager_client.post(revoke_url(delegation.id), data)
    second = manager_client.post(revoke_url(delegation.id), data)
    assert first.status_code == second.status_code == 302
    assert len(sent(natural)) == 1
    assert Operation.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"reason": "no key"},
        {"key": "not-a-uuid", "reason": "bad key"},
    ],
)
def test_without_the_confirmation_or_a_reason_nothing_is_sent(
    natural, manager_client, delegation, data
):
    response = manager_client.post(revoke_url(delegation.id), data)
    assert response.status_code == 400
    assert b"Nothing was sent" in response.content
    assert natural.request_log_snapshot() == []
    assert Operation.objects.count() == 0


def test_a_blank_reason_asks_again_on_the_same_form_and_sends_nothing(
    natural, manager_client, delegation
):
    key = "9b2f0a3e-0000-4000-8000-000000000000"
    response = manager_client.post(revoke_url(delegation.id), {"key": key, "reason": "  \n "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required. Nothing was sent." in page
    assert 'aria-invalid="true"' in page
    assert f'value="{key}"' in page  # the same confirmation, so a resubmit is still sent once
    assert sent(natural) == []
    assert Operation.objects.count() == 0


def test_a_blank_reason_in_the_dialog_is_answered_inside_the_dialog(
    natural, manager_client, delegation
):
    key = "9b2f0a3e-0000-4000-8000-000000000000"
    response = manager_client.post(
        revoke_url(delegation.id),
        {"key": key, "reason": "   "},
        headers={"HX-Request": "true", "HX-Target": f"revoke-cell-{delegation.id}"},
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#action-dialog-body"
    assert "Nothing was sent." in response.content.decode()
    assert "<html" not in response.content.decode()
    assert sent(natural) == []


def test_get_on_the_action_endpoint_is_refused(natural, manager_client, delegation):
    assert manager_client.get(revoke_url(delegation.id)).status_code == 405
    assert natural.request_log_snapshot() == []


def test_htmx_from_the_table_answers_with_the_revoked_cell(natural, manager_client, delegation):
    response = manager_client.post(
        revoke_url(delegation.id),
        {"key": new_key(), "reason": "Offboarding"},
        headers={"HX-Request": "true", "HX-Target": f"revoke-cell-{delegation.id}"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="revoke-cell-{delegation.id}"' in html
    assert "badge-revoked" in html
    assert 'hx-swap-oob="beforeend:#messages"' in html


def test_a_refused_revoke_is_reported_not_hidden(natural, manager_client, delegation, monkeypatch):
    from natural import revocation

    real_state = revocation.with_state

    def checked_then_revoked_elsewhere(found):
        checked = real_state(found)
        if not natural.state.agent_delegation(found.id).is_revoked:
            agent = natural.state.agent(delegation.agent_id)
            natural.state.revoke_agent_access(agent, delegation.customer_id)
        return checked

    monkeypatch.setattr(revocation, "with_state", checked_then_revoked_elsewhere)
    response = manager_client.post(
        revoke_url(delegation.id), {"key": new_key(), "reason": "Already gone?"}, follow=True
    )
    assert Operation.objects.get().state == State.FAILED
    assert b"Natural refused" in response.content


def test_the_same_key_for_another_delegation_is_refused(natural, manager_client):
    from tests.operations.support import active_delegations

    first, other = active_delegations(natural, 2)
    key = new_key()
    manager_client.post(revoke_url(first.id), {"key": key, "reason": "one"})
    response = manager_client.post(revoke_url(other.id), {"key": key, "reason": "one"})
    assert response.status_code == 409
    assert "This form was already used" in response.text
    assert len(sent(natural)) == 1


def test_an_access_already_revoked_is_not_sent_again(natural, manager_client, delegation):
    natural.state.revoke_agent_access(
        natural.state.agent(delegation.agent_id), delegation.customer_id
    )
    page = manager_client.get(confirm_url(delegation.id)).content.decode()
    assert "already revoked" in page
    assert 'name="reason"' not in page
    response = manager_client.post(revoke_url(delegation.id), {"key": new_key(), "reason": "x"})
    assert response.status_code == 302
    assert sent(natural) == []
    assert Operation.objects.count() == 0


def test_an_unknown_revoke_is_reconciled_by_reading_not_resending(
    natural, manager_client, delegation
):

    natural.faults.add("drop_after", count=10, method="DELETE")
    key = new_key()
    manager_client.post(revoke_url(delegation.id), {"key": key, "reason": "Flaky network"})
    operation = Operation.objects.get(key=key)
    assert operation.state == State.UNKNOWN
    writes = len(sent(natural))
    operation = reconcile(operation, actor=operation.actor)
    assert operation.reconciliation["outcome"] == "found"
    assert len(sent(natural)) == writes
