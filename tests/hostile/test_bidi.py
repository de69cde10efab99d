"""Names from Natural holding bidirectional controls cannot reorder the page around them:
every upstream string is isolated, and the detail heading shows the controls themselves."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

RLO = "\u202e"
HIDDEN = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200f]")


def _rtl_customer(natural):
    return next(c for c in natural.state.customers if RLO in (c.party.name or ""))


def _visible_text_outside_isolates(html: str) -> list[str]:
    """Bidi controls in the page body that sit outside any <bdi> (attributes do not count)."""
    body = html.split("<main", 1)[-1]
    body = re.sub(r"<(/?[a-zA-Z0-9]+)(?:\s[^>]*)?>", r"<\1>", body)
    body = re.sub(r"<option>.*?</option>", "", body, flags=re.S)
    outside, depth = [], 0
    for token in re.split(r"(</?bdi>)", body):
        if token == "<bdi>":
            depth += 1
        elif token == "</bdi>":
            depth = max(0, depth - 1)
        elif depth == 0:
            outside.extend(HIDDEN.findall(token))
    return outside


@pytest.fixture
def rtl(natural):
    return _rtl_customer(natural)


def test_the_customer_heading_shows_the_override_visibly(natural, support_client, rtl):
    html = support_client.get(reverse("customer-detail", args=[rtl.party.id])).content.decode()

    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    assert "U+202E" in heading
    assert heading.lstrip().startswith("<bdi>")
    assert _visible_text_outside_isolates(html) == []


@pytest.mark.parametrize(
    "page",
    [
        lambda rtl: reverse("customer-list"),
        lambda rtl: reverse("customer-detail", args=[rtl.party.id]),
        lambda rtl: reverse("delegation-list") + f"?party={rtl.party.id}&include_revoked=on",
        lambda rtl: reverse("invitation-list"),
    ],
    ids=["customers", "customer", "delegations", "invitations"],
)
def test_no_page_lets_an_upstream_control_character_escape_its_isolate(
    natural, manager_client, rtl, page
):
    response = manager_client.get(page(rtl))

    assert response.status_code == 200
    assert _visible_text_outside_isolates(response.content.decode()) == []


def test_delegation_detail_isolates_the_customer_name(natural, manager_client, rtl):
    adl = next((a for a in natural.state.agent_delegations if a.customer_id == rtl.party.id), None)
    if adl is None:
        pytest.skip("the seed gave this customer no agent delegation")

    html = manager_client.get(reverse("delegation-detail", args=[adl.id])).content.decode()

    assert _visible_text_outside_isolates(html) == []


# What one user types and another reads: isolated like Natural's strings, so a direction
# control in it cannot reorder what stands around it ("shared by …", "by …").

SPOOF = f"Q3 review {RLO}nimda yb"


@pytest.fixture
def typed_by_someone_else(natural, make_user):
    """A manager whose name, saved view, review comment and revoke reason each carry an
    override, as another user will read them."""
    from accounts.models import SecurityEvent
    from operations import engine
    from operations.review_marks import ReviewMark
    from saved_views.models import SavedView

    author = make_user("manager", username=f"mallory{RLO}")
    SavedView.objects.create(
        owner=author, table="agent_delegations", name=SPOOF, query="", shared=True
    )
    adl = next(a for a in natural.state.agent_delegations if not a.is_revoked)
    ReviewMark.objects.create(
        delegation_id=adl.id,
        customer_party_id=adl.customer_id,
        agent_id=adl.agent_id,
        verdict=ReviewMark.Verdict.FLAGGED,
        comment=SPOOF,
        actor=author,
    )
    operation = engine.prepare(
        key="00000000-0000-4000-8000-0000000000b1",
        actor=author,
        action="revoke_agent_access",
        method="DELETE",
        path=f"/agents/{adl.agent_id}/customers/{adl.customer_id}",
        idempotent=True,
        target={"reason": SPOOF, "agent_delegation_id": adl.id},
    )
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.SIGN_IN_FAILED, username=SPOOF, actor=author.username
    )
    return {"adl": adl.id, "operation": operation.pk}


@pytest.mark.parametrize(
    "page",
    [
        lambda typed: reverse("saved-view-list"),
        lambda typed: reverse("delegation-list"),
        lambda typed: reverse("delegation-detail", args=[typed["adl"]]),
        lambda typed: reverse("delegation-review") + "?review=flagged",
        lambda typed: reverse("audit-list"),
        lambda typed: reverse("operation-detail", args=[typed["operation"]]),
        lambda typed: reverse("security_log"),
    ],
    ids=["views", "delegations", "delegation", "review-queue", "audit", "operation", "security"],
)
def test_what_one_user_typed_cannot_reorder_another_users_page(
    natural, admin_client, typed_by_someone_else, page
):
    from read_model import sync

    sync.sync("agent_delegations")
    response = admin_client.get(page(typed_by_someone_else))

    assert response.status_code == 200
    html = response.content.decode()
    assert RLO in html, "the typed text is on the page"
    assert _visible_text_outside_isolates(html) == []
