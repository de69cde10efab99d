"""One partial rule for every region a page can answer with alone: the region for htmx, the
whole page for a history restore (Back after htmx lost its cached copy) or a plain visit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.operations.support import active_delegations, pending_invitations

pytestmark = pytest.mark.django_db


def regions(natural) -> list[tuple[str, str]]:
    (invitation,) = pending_invitations(natural, 1)
    (delegation,) = active_delegations(natural, 1)
    return [
        ("/invitations/", "invitations-table"),
        ("/delegations/", "delegations-table"),
        ("/customers/", "customers-table"),
        ("/audit/", "audit-table"),
        ("/natural-requests/", "natural-requests-table"),
        (reverse("delegation-revoke-confirm", args=[delegation.id]), "action-dialog-body"),
        (reverse("invitation-cancel-confirm", args=[invitation.id]), "action-dialog-body"),
    ]


def test_htmx_gets_the_region_alone(natural, admin_client):
    for url, target in regions(natural):
        response = admin_client.get(url, headers={"HX-Request": "true", "HX-Target": target})
        assert response.status_code == 200, url
        assert "<html" not in response.content.decode(), url


def test_a_history_restore_gets_the_whole_page(natural, admin_client):
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    for url, target in regions(natural):
        response = admin_client.get(url, headers={**restore, "HX-Target": target})
        assert response.status_code == 200, url
        assert "<html" in response.content.decode(), url
