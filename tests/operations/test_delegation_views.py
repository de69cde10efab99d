"""The delegation invitation form: one operation, never resent, errors at their fields."""

from __future__ import annotations

import pytest

from operations.models import Operation, State
from tests.operations.delegation_form import URL, form_data
from tests.operations.support import upstream_writes

pytestmark = pytest.mark.django_db


def test_create_and_double_submit_send_once(natural, admin_client, agent_id):
    data = form_data(admin_client.get(URL).text, agent_id)
    first = admin_client.post(URL, data)
    second = admin_client.post(URL, data)
    operation = Operation.objects.get()
    assert first["Location"] == second["Location"] == f"/audit/{operation.pk}/"
    assert operation.state == State.SUCCEEDED
    assert operation.idempotent is False
    assert operation.created_ids[0].startswith("din_")
    assert len(upstream_writes(natural)) == 1
    body = operation.body_bytes
    assert b'"limits":{"perTransaction":5000,"daily":null,"monthly":null}' in body


def test_invalid_input_keeps_values_and_sends_nothing(natural, admin_client, agent_id):
    page = admin_client.get(URL).text
    data = form_data(page, agent_id, customer_email="not-an-email", **{"agents-0-daily": "-1"})
    response = admin_client.post(URL, data)
    assert response.status_code == 200
    assert 'value="not-an-email"' in response.text
    assert "Enter a valid email address." in response.text
    assert "Enter a positive amount in dollars." in response.text
    assert upstream_writes(natural) == []


def test_a_422_lands_on_the_agent_row_with_a_new_key(natural, admin_client, agent_id):
    page = admin_client.get(URL).text
    data = form_data(page, "agt_" + "0" * 32)
    # The form only offers known agents, so a stale agent list is how Natural refuses one.
    from operations.forms import ProposedAgentForm

    original = ProposedAgentForm.__init__

    def allow_any(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.fields["agent"].choices += [("agt_" + "0" * 32, "gone")]

    ProposedAgentForm.__init__ = allow_any
    try:
        response = admin_client.post(URL, data)
    finally:
        ProposedAgentForm.__init__ = original
    assert response.status_code == 200
    assert "Unknown agent" in response.text
    assert Operation.objects.get().state == State.FAILED
    assert data["key"] not in response.text


def test_only_admins_create(natural, manager_client, agent_id):
    assert manager_client.get(URL).status_code == 403
    assert (
        manager_client.post(URL, {"key": "00000000-0000-4000-8000-000000000002"}).status_code == 403
    )
    assert Operation.objects.count() == 0
