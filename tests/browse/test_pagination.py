"""Cursor paging with a trail in the URL: Next, Next, Previous, Previous walks back exactly."""

from __future__ import annotations

import re
from html import unescape

from tests.browse.conftest import htmx

TARGET = "customers-table"


def _link(body: str, rel: str) -> str | None:
    match = re.search(rf'rel="{rel}" href="([^"]+)"', body)
    return unescape(match.group(1)) if match else None


def _ids(response) -> list[str]:
    return [row["id"] for row in response.context_data["rows"]]


def test_next_and_previous_walk_the_trail(natural, support_client):
    first = support_client.get("/customers/", headers=htmx(TARGET))
    body = first.content.decode()
    assert _link(body, "prev") is None
    assert "never" not in body
    second_url = _link(body, "next")
    assert second_url.startswith("?cursor=cur_")
    second = support_client.get("/customers/" + second_url, headers=htmx(TARGET))
    third_url = _link(second.content.decode(), "next")
    third = support_client.get("/customers/" + third_url, headers=htmx(TARGET))
    assert "trail=cur_" in third_url

    back_to_second = support_client.get(
        "/customers/" + _link(third.content.decode(), "prev"), headers=htmx(TARGET)
    )
    assert _ids(back_to_second) == _ids(second)
    back_to_first = support_client.get(
        "/customers/" + _link(back_to_second.content.decode(), "prev"), headers=htmx(TARGET)
    )
    assert _ids(back_to_first) == _ids(first)
    assert len(set(_ids(first)) | set(_ids(second)) | set(_ids(third))) == 60


def test_paging_keeps_the_filters(natural, support_client):
    body = support_client.get(
        "/invitations/?status=PENDING&limit=20", headers=htmx("invitations-table")
    ).content.decode()
    next_url = _link(body, "next")
    assert "status=PENDING" in next_url
    assert "limit=20" in next_url


def test_pager_links_are_real_links_and_htmx_gets(natural, support_client):
    body = support_client.get("/customers/").content.decode()
    match = re.search(r'rel="next" href="([^"]+)" hx-get="([^"]+)"', body)
    assert match
    assert match.group(1) == match.group(2)
    assert 'hx-target="#customers-table" hx-push-url="true"' in body


def test_no_made_up_total(natural, support_client):
    body = support_client.get("/customers/").content.decode()
    table = body.split('data-table="customers"', 1)[1]
    assert " of " not in re.sub(r"<[^>]+>", "", table).split("Export")[0]
    assert "20 customers on this page; more follow" in body


def test_last_page_has_no_next(natural, support_client):
    body = support_client.get("/invitations/?status=CANCELED&limit=100").content.decode()
    assert 'rel="next"' not in body


def test_empty_state_names_the_filters(natural, support_client):
    agent = "agt_" + "0" * 32
    body = support_client.get(f"/invitations/?agent={agent}&status=DECLINED").content.decode()
    assert "Nothing matches" in body
    assert "<strong>Status</strong> = “DECLINED”" in body
    assert f"<strong>Agent</strong> = “{agent}”" in body
    assert '<a href="/invitations/">Clear filters</a>' in body
