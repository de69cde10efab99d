"""The actions inside the browse pages: shown only to those who may act, history newest first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from operations.models import Operation
from tests.operations.support import active_delegations, new_key

pytestmark = pytest.mark.django_db


def test_the_delegation_page_has_revoke_review_and_history(natural, manager_client, delegation):
    detail = reverse("delegation-detail", args=[delegation.id])
    manager_client.post(
        reverse("delegation-review-mark", args=[delegation.id]),
        {"verdict": "flagged", "comment": "Limit looks too high"},
    )
    manager_client.post(
        reverse("delegation-revoke", args=[delegation.id]),
        {"key": new_key(), "reason": "Contract ended"},
    )
    html = manager_client.get(detail).content.decode()
    assert "History" in html
    revoke_at = html.index("Revoke agent access")
    review_at = html.index("Limit looks too high", html.index("history-title"))
    assert revoke_at < review_at, "newest first"
    assert "Contract ended" in html
    assert 'badge badge-revoked">Revoked' in html
    assert reverse("delegation-revoke-confirm", args=[delegation.id]) not in html


def test_support_sees_no_buttons_and_no_history(natural, support_client, delegation):
    html = support_client.get(reverse("delegation-detail", args=[delegation.id])).content.decode()
    assert "Revoke" not in html
    assert "delegation-review-mark" not in html
    assert reverse("delegation-review-mark", args=[delegation.id]) not in html
    assert "history-title" not in html
    listing = support_client.get(reverse("delegation-list")).content.decode()
    assert "data-selectable" not in listing
    # The status chips name revoked delegations; no button offers to revoke one.
    assert "Revoke…" not in listing
    assert "/revoke/confirm/" not in listing
    invitations = support_client.get(reverse("invitation-list")).content.decode()
    assert "Cancel selected" not in invitations


def test_the_delegations_table_offers_selection_and_a_bulk_bar(natural, manager_client):
    html = manager_client.get(reverse("delegation-list")).content.decode()
    assert "data-select-all" in html
    assert 'name="delegation"' in html
    assert "data-selection-count" in html
    assert reverse("delegation-bulk-revoke-confirm") in html


def test_the_invitations_table_offers_cancel_selected(natural, manager_client):
    html = manager_client.get(reverse("invitation-list")).content.decode()
    assert "Cancel selected" in html
    assert ':PENDING" data-selectable' in html


def test_a_revoked_row_stays_revoked_in_the_table(natural, manager_client):
    (delegation,) = active_delegations(natural, 1)
    manager_client.post(
        reverse("delegation-revoke", args=[delegation.id]), {"key": new_key(), "reason": "x"}
    )
    html = manager_client.get(reverse("delegation-list"), {"include_revoked": "on"}).content
    assert f'id="revoke-cell-{delegation.id}"'.encode() not in html


def test_the_customer_page_shows_its_history(natural, manager_client, delegation):
    manager_client.post(
        reverse("delegation-revoke", args=[delegation.id]),
        {"key": new_key(), "reason": "Customer request"},
    )
    html = manager_client.get(
        reverse("customer-detail", args=[delegation.customer_id])
    ).content.decode()
    assert "Customer request" in html
    assert "Revoke agent access" in html


def test_the_audit_log_shows_what_a_revoke_was_about_and_why(natural, manager_client, delegation):
    key = new_key()
    manager_client.post(
        reverse("delegation-revoke", args=[delegation.id]),
        {"key": key, "reason": "Fraud suspicion"},
    )
    listing = manager_client.get(reverse("audit-list")).content.decode()
    assert "Fraud suspicion" in listing
    operation = Operation.objects.get(key=key)
    detail = manager_client.get(reverse("operation-detail", args=[operation.pk])).content.decode()
    assert "Fraud suspicion" in detail
    assert delegation.id in detail
    assert delegation.customer_id in detail
