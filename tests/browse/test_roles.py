"""Every browse page opens for each role (all hold VIEW) and for nobody without it."""

from __future__ import annotations

import pytest

from tests.browse.support import upstream

PAGES = [
    "/invitations/",
    "/invitations/delegation/",
    "/customers/",
    "/delegations/",
    "/invitations/export.csv",
    "/customers/export.csv",
    "/delegations/export.csv",
    "/invitations/delegation/export.csv",
    "/lookup/?id=pty_" + "1" * 32,
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_as_each_role(natural, client, make_user, any_role, url):
    client.force_login(make_user(any_role))
    assert client.get(url).status_code in (200, 302)


def test_details_as_each_role(natural, client, make_user, any_role):
    client.force_login(make_user(any_role))
    customer = next(iter(natural.state.customers.newest_first()))
    adl = next(iter(natural.state.agent_delegations.newest_first()))
    assert client.get(f"/customers/{customer.party.id}/").status_code == 200
    assert client.get(f"/delegations/{adl.id}/").status_code == 200


@pytest.mark.parametrize("url", [*PAGES, "/"])
def test_without_the_view_permission_nothing_is_asked(natural, client, make_user, url):
    client.force_login(make_user(None))
    natural.clear_request_log()
    assert client.get(url).status_code == 403
    assert upstream(natural, include_agents=True) == []


def test_no_write_actions_on_browse_pages(natural, admin_client):
    """Writes to Natural start from a confirm page; the only forms a browse page posts are the
    user's own columns and saved views."""
    import re

    body = admin_client.get("/delegations/").content.decode()
    posts = re.findall(r'<form[^>]*method="post"[^>]*>', body.split("<main", 1)[1])
    assert posts
    assert all(re.search(r'action="/views/[a-z]+/"', form) for form in posts), posts
