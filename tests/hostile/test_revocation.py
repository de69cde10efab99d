"""Natural shows no status on agent delegations. The dashboard tells revoked from active only
by what the API documents (revoked rows appear only with include_revoked) and by its own audit
log; where it cannot know, it says so, and never offers a revoked access for revoking."""

from __future__ import annotations

import re

import httpx
import pytest
from django.urls import reverse

from natural import client
from sandbox.testing import SandboxTransport
from tests.operations.support import new_key, sent

pytestmark = pytest.mark.django_db


def _revoked(natural):
    return next(adl for adl in natural.state.agent_delegations.newest_first() if adl.is_revoked)


def _active(natural):
    return next(adl for adl in natural.state.agent_delegations.newest_first() if not adl.is_revoked)


def _status_of(html: str, adl_id: str) -> str:
    match = re.search(rf'id="delegation-status-{adl_id}" class="[^"]*">([^<]+)<', html)
    assert match, f"no status shown for {adl_id}"
    return match.group(1)


def _revoke_offered(html: str, adl_id: str) -> bool:
    return reverse("delegation-revoke-confirm", args=[adl_id]) in html


def test_the_list_with_revoked_tells_revoked_from_active(natural, manager_client):
    revoked, active = _revoked(natural), _active(natural)
    url = f"{reverse('delegation-list')}?include_revoked=on&limit=100"
    pages, cursor = [], None
    while True:
        response = manager_client.get(url + (f"&cursor={cursor}" if cursor else ""))
        pages.append(response.content.decode())
        found = re.search(r'rel="next" href="\?([^"]*)"', pages[-1])
        if not found or (revoked.id in "".join(pages) and active.id in "".join(pages)):
            break
        cursor = re.search(r"cursor=([^&]+)", found.group(1).replace("&amp;", "&")).group(1)
    html = "".join(pages)

    assert _status_of(html, revoked.id) == "Revoked"
    assert _status_of(html, active.id) == "Active"
    assert not _revoke_offered(html, revoked.id)
    assert f'value="{revoked.id}" data-selectable' not in html
    assert _revoke_offered(html, active.id)


class _DefaultListFails(httpx.BaseTransport):
    """Natural answers everything except the list without include_revoked."""

    def __init__(self, app) -> None:
        self.inner = SandboxTransport(app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/agent-delegations" and not any(
            name in request.url.params for name in ("include_revoked", "includeRevoked")
        ):
            return httpx.Response(503, json={"errors": [{"code": "unavailable"}]})
        return self.inner.handle_request(request)


def test_when_it_cannot_know_it_says_unknown_and_offers_no_revoke(natural, manager_client):
    client.use_transport(_DefaultListFails(natural))
    revoked = _revoked(natural)
    party = revoked.customer_id

    html = manager_client.get(
        reverse("delegation-list"), {"include_revoked": "on", "party": party}
    ).content.decode()

    assert _status_of(html, revoked.id) == "Unknown"
    # Nothing in the table says active (the filters above it name the Active chip).
    assert "Active" not in re.sub(r"<[^>]+>", "", html.split("<caption", 1)[-1])
    assert not _revoke_offered(html, revoked.id)


def test_a_revoke_recorded_in_our_audit_log_shows_revoked_even_when_natural_cannot_say(
    natural, manager_client
):
    active = _active(natural)
    manager_client.post(
        reverse("delegation-revoke", args=[active.id]), {"key": new_key(), "reason": "Ended"}
    )
    client.use_transport(_DefaultListFails(natural))

    html = manager_client.get(
        reverse("delegation-list"), {"include_revoked": "on", "party": active.customer_id}
    ).content.decode()

    assert _status_of(html, active.id) == "Revoked"
    assert not _revoke_offered(html, active.id)


def test_the_detail_of_a_revoked_delegation_offers_no_revoke(natural, manager_client):
    revoked = _revoked(natural)

    html = manager_client.get(reverse("delegation-detail", args=[revoked.id])).content.decode()

    assert _status_of(html, revoked.id) == "Revoked"
    assert not _revoke_offered(html, revoked.id)


def test_the_detail_says_unknown_when_natural_cannot_say(natural, manager_client):
    revoked = _revoked(natural)
    client.use_transport(_DefaultListFails(natural))

    html = manager_client.get(reverse("delegation-detail", args=[revoked.id])).content.decode()

    assert _status_of(html, revoked.id) == "Unknown"
    assert not _revoke_offered(html, revoked.id)


def test_revoking_a_revoked_access_sends_nothing(natural, manager_client):
    revoked = _revoked(natural)

    confirm = manager_client.get(reverse("delegation-revoke-confirm", args=[revoked.id]))
    manager_client.post(
        reverse("delegation-revoke", args=[revoked.id]), {"key": new_key(), "reason": "Again"}
    )

    assert "already revoked" in confirm.content.decode()
    assert sent(natural) == []


def test_the_customer_page_shows_revoked_agents_as_revoked(natural, manager_client):
    revoked = _revoked(natural)

    html = manager_client.get(
        reverse("customer-detail", args=[revoked.customer_id])
    ).content.decode()

    if revoked.id in html:
        assert _status_of(html, revoked.id) != "Active"
        assert not _revoke_offered(html, revoked.id)
