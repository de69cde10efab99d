"""Revoke many: the full list confirmed, one operation per pair, every outcome shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from operations.models import Batch, Operation, State
from tests.operations.support import active_delegations, new_key, rendered_key, sent

pytestmark = pytest.mark.django_db

CONFIRM = "delegation-bulk-revoke-confirm"
SUBMIT = "delegation-bulk-revoke"


def test_the_confirmation_lists_every_selected_pair(natural, manager_client):
    chosen = active_delegations(natural, 3)
    response = manager_client.get(reverse(CONFIRM), {"delegation": [d.id for d in chosen]})
    assert response.status_code == 200
    html = response.content.decode()
    for delegation in chosen:
        assert delegation.id in html
        assert delegation.customer_id in html
    assert "Revoke 3 accesses" in html
    assert sent(natural) == []


def test_one_failing_pair_never_hides_the_others(natural, manager_client):
    chosen = active_delegations(natural, 3)
    broken = chosen[1]
    natural.faults.add(
        "error",
        count=10,
        method="DELETE",
        path=f"/agents/{broken.agent_id}/customers/{broken.customer_id}",
        status=503,
    )
    key = new_key()
    response = manager_client.post(
        reverse(SUBMIT),
        {"key": key, "reason": "Quarterly clean-up", "delegation": [d.id for d in chosen]},
    )
    assert response.status_code == 302
    batch = Batch.objects.get(key=key)
    states = {op.target["delegation_id"]: op.state for op in batch.operations.all()}
    assert states == {
        chosen[0].id: State.SUCCEEDED,
        broken.id: State.UNKNOWN,
        chosen[2].id: State.SUCCEEDED,
    }
    keys = {op.key for op in batch.operations.all()}
    assert len(keys) == 3, "each pair has its own key"
    result = manager_client.get(response["Location"]).content.decode()
    assert "2 revoked" in result
    assert "1 unknown" in result
    assert broken.customer_id in result


def test_every_pair_is_committed_before_the_first_send(natural, manager_client, monkeypatch):
    from operations import engine

    chosen = active_delegations(natural, 2)
    counted = []
    real_run = engine.run

    def run(operation):
        counted.append(Operation.objects.filter(batch=operation.batch).count())
        return real_run(operation)

    monkeypatch.setattr(engine, "run", run)
    manager_client.post(
        reverse(SUBMIT),
        {"key": new_key(), "reason": "Both", "delegation": [d.id for d in chosen]},
    )
    assert counted == [2, 2]


def test_resubmitting_the_bulk_form_sends_nothing_more(natural, manager_client):
    chosen = active_delegations(natural, 2)
    data = {"key": new_key(), "reason": "Twice", "delegation": [d.id for d in chosen]}
    manager_client.post(reverse(SUBMIT), data)
    manager_client.post(reverse(SUBMIT), data)
    assert len(sent(natural)) == 2
    assert Operation.objects.count() == 2


def test_with_htmx_the_result_page_sends_one_pair_at_a_time(natural, manager_client):
    chosen = active_delegations(natural, 2)
    key = rendered_key(
        manager_client.get(
            reverse(CONFIRM), {"delegation": [d.id for d in chosen]}
        ).content.decode()
    )
    response = manager_client.post(
        reverse(SUBMIT),
        {"key": key, "reason": "Watch it", "delegation": [d.id for d in chosen]},
        headers={"HX-Request": "true"},
    )
    assert response["HX-Redirect"] == reverse("delegation-bulk-revoke-result", args=[key])
    assert sent(natural) == []
    page = manager_client.get(response["HX-Redirect"]).content.decode()
    assert "Sending: 0 of 2 done" in page
    send = reverse("delegation-bulk-revoke-send", args=[key])
    first = manager_client.post(send, headers={"HX-Request": "true"}).content.decode()
    assert "1 of 2 done" in first
    assert 'hx-trigger="load' in first
    last = manager_client.post(send, headers={"HX-Request": "true"}).content.decode()
    assert "Finished: 2 revoked" in last
    assert 'hx-trigger="load' not in last
    assert len(sent(natural)) == 2


def test_a_bulk_post_without_reason_or_selection_sends_nothing(natural, manager_client):
    chosen = active_delegations(natural, 1)
    assert (
        manager_client.post(reverse(SUBMIT), {"key": new_key(), "reason": "x"}).status_code == 400
    )
    assert (
        manager_client.post(
            reverse(SUBMIT), {"key": new_key(), "delegation": [chosen[0].id]}
        ).status_code
        == 400
    )
    assert natural.request_log_snapshot() == []


def test_a_bad_selection_is_refused_before_any_read(natural, manager_client):
    response = manager_client.get(reverse(CONFIRM), {"delegation": ["adl_nope"]})
    assert response.status_code == 400
    assert natural.request_log_snapshot() == []


def test_revoked_and_unknown_delegations_are_left_out_of_the_confirmation(natural, manager_client):
    chosen = active_delegations(natural, 2)
    gone = chosen[1]
    natural.state.revoke_agent_access(natural.state.agent(gone.agent_id), gone.customer_id)
    missing = "adl_" + "0" * 32
    response = manager_client.get(
        reverse(CONFIRM), {"delegation": [chosen[0].id, gone.id, missing]}
    )
    html = response.content.decode()
    assert "Left out (2)" in html
    assert "already revoked" in html
    assert "not found at Natural" in html
    assert "Revoke 1 access" in html


def test_the_audit_log_leads_to_the_bulk_outcome(natural, manager_client):
    chosen = active_delegations(natural, 2)
    key = new_key()
    manager_client.post(
        reverse(SUBMIT), {"key": key, "reason": "r", "delegation": [d.id for d in chosen]}
    )
    listing = manager_client.get(reverse("audit-list")).content.decode()
    assert reverse("delegation-bulk-revoke-result", args=[key]) in listing
