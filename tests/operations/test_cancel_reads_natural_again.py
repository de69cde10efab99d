"""The cancel confirmation reads the invitation from Natural again before it offers to send:
a row the table (live or the local read model) showed as pending may have changed or gone."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from read_model import sync
from tests.operations.support import pending_invitations, sent

pytestmark = pytest.mark.django_db
LIST = reverse("invitation-list")


def confirm_link(html: str, invitation_id: str) -> str:
    found = re.search(rf'href="(/invitations/{invitation_id}/cancel/confirm/[^"]*)"', html)
    assert found, "the row offers cancel"
    return found.group(1).replace("&amp;", "&")


def test_a_read_model_row_declined_since_the_copy_is_named_and_nothing_is_sent(
    natural, manager_client
):
    (invitation,) = pending_invitations(natural, 1)
    sync.sync("agent_invitations")
    table = manager_client.get(LIST, {"q": invitation.id}).content.decode()
    link = confirm_link(table, invitation.id)
    natural.state.decline_invitation(invitation)
    natural.clear_request_log()

    html = manager_client.get(link).content.decode()

    assert "is no longer pending" in html
    assert "Declined" in html
    assert 'name="key"' not in html
    assert sent(natural) == []


def test_a_pending_invitation_is_confirmed_with_what_natural_says_now(natural, manager_client):
    (invitation,) = pending_invitations(natural, 1)

    html = manager_client.get(reverse("invitation-cancel-confirm", args=[invitation.id]))

    body = html.content.decode()
    assert 'name="key"' in body
    assert "Pending" in body


def test_an_invitation_natural_no_longer_lists_is_named_gone(natural, manager_client):
    gone = "adi_" + "0" * 32

    html = manager_client.get(reverse("invitation-cancel-confirm", args=[gone])).content.decode()

    assert "Natural no longer lists" in html
    assert 'name="key"' not in html


def test_natural_down_on_the_confirmation_sends_nothing(natural_down, manager_client):
    response = manager_client.get(reverse("invitation-cancel-confirm", args=["adi_" + "1" * 32]))

    assert response.status_code in (502, 503, 504)
    assert 'name="key"' not in response.content.decode()
