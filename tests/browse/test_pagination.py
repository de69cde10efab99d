"""Cursor paging with a trail in the URL: Next, Next, Previous, Previous walks back exactly."""

from __future__ import annotations

import re

from tests.browse.support import htmx, pager_link, row_ids

TARGET = "customers-table"


def test_next_and_previous_walk_the_trail(natural, support_client):
    first = support_client.get("/customers/", headers=htmx(TARGET))
    body = first.content.decode()
    assert pager_link(body, "prev") is None
    assert "never" not in body
    second_url = pager_link(body, "next")
    assert second_url.startswith("?cursor=cur_")
    second = support_client.get("/customers/" + second_url, headers=htmx(TARGET))
    third_url = pager_link(second.content.decode(), "next")
    third = support_client.get("/customers/" + third_url, headers=htmx(TARGET))
    assert "trail=cur_" in third_url

    back_to_second = support_client.get(
        "/customers/" + pager_link(third.content.decode(), "prev"), headers=htmx(TARGET)
    )
    assert row_ids(back_to_second) == row_ids(second)
    back_to_first = support_client.get(
        "/customers/" + pager_link(back_to_second.content.decode(), "prev"), headers=htmx(TARGET)
    )
    assert row_ids(back_to_first) == row_ids(first)
    assert len(set(row_ids(first)) | set(row_ids(second)) | set(row_ids(third))) == 60


def test_paging_keeps_the_filters(natural, support_client):
    body = support_client.get(
        "/invitations/?status=PENDING&limit=20", headers=htmx("invitations-table")
    ).content.decode()
    next_url = pager_link(body, "next")
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
