"""The header's id box goes to the page of any pasted id, or says clearly why it cannot."""

from __future__ import annotations

import pytest


def test_every_page_has_the_lookup_box(natural, support_client):
    body = support_client.get("/customers/").content.decode()
    assert 'action="/lookup/"' in body


@pytest.mark.parametrize(
    ("object_id", "location"),
    [
        ("pty_" + "1" * 32, "/customers/pty_" + "1" * 32 + "/"),
        ("adl_" + "2" * 32, "/delegations/adl_" + "2" * 32 + "/"),
        ("agt_" + "3" * 32, "/delegations/?agent=agt_" + "3" * 32),
        ("dlg_" + "4" * 32, "/delegations/?delegation=dlg_" + "4" * 32),
        ("  pty_" + "1" * 32 + "  ", "/customers/pty_" + "1" * 32 + "/"),
    ],
)
def test_ids_go_to_their_page(natural, support_client, object_id, location):
    response = support_client.get("/lookup/", {"id": object_id})
    assert response.status_code == 302
    assert response["Location"] == location


def test_agent_invitation_id_goes_to_its_row(natural, support_client):
    invitation = next(
        i for i in natural.state.invitations.newest_first() if i.recipient.type == "email"
    )
    response = support_client.get("/lookup/", {"id": invitation.id})
    assert response.status_code == 302
    assert response["Location"].startswith("/invitations/?email=")


def test_delegation_invitation_id_is_found(natural, support_client):
    invitation = next(iter(natural.state.delegation_invitations.newest_first()))
    response = support_client.get("/lookup/", {"id": invitation.id})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("usr_" + "0" * 32, "not an id this dashboard knows"),
        ("hello", "not an id this dashboard knows"),
        ("pty_XYZ", "32 lowercase hex digits"),
    ],
)
def test_ids_it_cannot_place(natural, support_client, value, message):
    response = support_client.get("/lookup/", {"id": value})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_unknown_invitation_id(natural, support_client):
    response = support_client.get("/lookup/", {"id": "adi_" + "0" * 32})
    assert response.status_code == 404
    assert "No invitation adi_" in response.content.decode()
