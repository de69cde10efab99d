"""Every action endpoint as every role: support and anonymous users are refused before any
call to Natural; CSRF is enforced; GET never performs."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from operations.models import Operation
from operations.review_marks import ReviewMark
from tests.operations.support import new_key, pending_invitations

pytestmark = pytest.mark.django_db

KEY = "0b0e8f3c-6d9b-4b8e-9c1f-2d3e4f5a6b7c"


def endpoints(adl_id: str, adi_id: str) -> list[tuple[str, str, dict]]:
    reason = {"key": new_key(), "reason": "role check"}
    return [
        ("get", reverse("delegation-review"), {}),
        ("get", reverse("delegation-revoke-confirm", args=[adl_id]), {}),
        ("post", reverse("delegation-revoke", args=[adl_id]), reason),
        ("get", reverse("delegation-bulk-revoke-confirm"), {"delegation": [adl_id]}),
        ("post", reverse("delegation-bulk-revoke"), {**reason, "delegation": [adl_id]}),
        ("get", reverse("delegation-bulk-revoke-result", args=[KEY]), {}),
        ("post", reverse("delegation-bulk-revoke-send", args=[KEY]), {}),
        ("post", reverse("delegation-review-mark", args=[adl_id]), {"verdict": "reviewed"}),
        ("get", reverse("invitation-cancel-confirm", args=[adi_id]), {}),
        ("post", reverse("invitation-cancel", args=[adi_id]), reason),
        ("get", reverse("invitation-bulk-cancel-confirm"), {"invitation": [adi_id]}),
        ("post", reverse("invitation-bulk-cancel"), {**reason, "invitation": [adi_id]}),
        ("get", reverse("invitation-bulk-cancel-result", args=[KEY]), {}),
        ("post", reverse("invitation-bulk-cancel-reconcile", args=[KEY]), {}),
    ]


@pytest.fixture
def targets(natural, delegation):
    (invitation,) = pending_invitations(natural, 1)
    return delegation.id, invitation.id


def assert_nothing_happened(natural):
    assert natural.request_log_snapshot() == []
    assert Operation.objects.count() == 0
    assert ReviewMark.objects.count() == 0


def test_support_is_refused_everywhere_and_nothing_is_sent(natural, support_client, targets):
    for method, url, data in endpoints(*targets):
        response = getattr(support_client, method)(url, data)
        assert response.status_code == 403, url
    assert_nothing_happened(natural)


def test_anonymous_users_are_sent_to_login_and_nothing_is_sent(natural, client, targets):
    for method, url, data in endpoints(*targets):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    assert_nothing_happened(natural)


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_may_act(natural, client, make_user, targets, role):
    client.force_login(make_user(role))
    adl_id, adi_id = targets
    assert client.get(reverse("delegation-revoke-confirm", args=[adl_id])).status_code == 200
    assert client.get(reverse("invitation-cancel-confirm", args=[adi_id])).status_code == 200
    assert client.get(reverse("delegation-review")).status_code == 200
    response = client.post(
        reverse("invitation-cancel", args=[adi_id]), {"key": new_key(), "reason": role}
    )
    assert response.status_code == 302
    assert Operation.objects.get().actor.username == role


def test_get_on_every_write_endpoint_is_405_and_sends_nothing(natural, manager_client, targets):
    for method, url, _data in endpoints(*targets):
        if method == "post":
            assert manager_client.get(url).status_code == 405, url
    assert_nothing_happened(natural)


def test_csrf_is_required(natural, make_user, targets):
    adl_id, adi_id = targets
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("manager"))
    for method, url, data in endpoints(adl_id, adi_id):
        if method == "post":
            assert browser.post(url, data).status_code == 403, url
    assert_nothing_happened(natural)


def test_an_unsafe_next_is_ignored(natural, manager_client, delegation):
    response = manager_client.post(
        reverse("delegation-revoke", args=[delegation.id]),
        {"key": new_key(), "reason": "x", "next": "https://evil.example/steal"},
    )
    assert response["Location"] == reverse("delegation-detail", args=[delegation.id])


def test_a_malformed_id_is_a_404_without_a_call(natural, manager_client):
    for url in (
        reverse("delegation-revoke-confirm", args=["adl_nope"]),
        reverse("invitation-cancel-confirm", args=["nope"]),
    ):
        assert manager_client.get(url).status_code == 404
    response = manager_client.post(
        reverse("delegation-revoke", args=["pty_123"]), {"key": new_key(), "reason": "x"}
    )
    assert response.status_code == 404
    assert natural.request_log_snapshot() == []
