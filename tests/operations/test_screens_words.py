"""Pages speak the product's words, never Django's or Natural's internals."""

from __future__ import annotations

from tests.operations.delegation_form import URL, form_data


def test_an_empty_delegation_invitation_asks_for_an_agent_in_plain_words(
    natural, admin_client, agent_id
):
    data = form_data(admin_client.get(URL).text, agent_id, **{"agents-0-agent": ""})
    data.pop("agents-0-permissions")
    data.pop("agents-0-per_transaction")
    page = admin_client.post(URL, data)
    assert page.status_code in (200, 400)
    assert "Please submit" not in page.text
    assert "form." not in page.text
    assert "Propose at least one agent" in page.text
