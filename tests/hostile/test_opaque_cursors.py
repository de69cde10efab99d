"""A cursor is whatever Natural returns: any printable characters up to 1,024, `+ / = ,` too.
The dashboard passes it back untouched, and the trail in the URL survives any of them."""

from __future__ import annotations

import string

import httpx
import pytest

from tests.browse.support import htmx, pager_link, row_ids
from tests.fixtures.natural import fake_natural

TARGET = "customers-table"
PAGES = 4
# Every printable ASCII character appears in some cursor, commas and padding included.
CURSORS = [
    "cur_eyJ2IjoxLCJrIjpbMTcwMCwicHR5XyJdfQ+/=",
    "a,b,c" + string.punctuation + " spaced  out ",
    string.ascii_letters + string.digits + "+/==" + "x" * (1024 - 68),
]


def _customer(index: int) -> dict:
    return {
        "type": "customer",
        "id": f"pty_{index:032x}",
        "attributes": {"name": f"Customer {index}", "email": f"c{index}@example.com"},
        "relationships": {"delegation": {"data": None}, "agents": {"data": []}},
    }


class CursorNatural:
    """/customers in pages of two; page n+1 opens with CURSORS[n], exactly as given."""

    def __init__(self) -> None:
        self.asked: list[str | None] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/customers":
            return httpx.Response(404, json={"errors": [{"code": "not_found"}]})
        cursor = request.url.params.get("cursor")
        self.asked.append(cursor)
        if cursor is not None and cursor not in CURSORS:
            body = {"errors": [{"code": "invalid_pagination_cursor", "status": "400"}]}
            return httpx.Response(400, json=body)
        page = 0 if cursor is None else CURSORS.index(cursor) + 1
        has_more = page < len(CURSORS)
        return httpx.Response(
            200,
            json={
                "data": [_customer(page * 2), _customer(page * 2 + 1)],
                "meta": {
                    "pagination": {
                        "hasMore": has_more,
                        "nextCursor": CURSORS[page] if has_more else None,
                    }
                },
            },
        )


@pytest.fixture
def cursor_natural(db, settings):
    fake = CursorNatural()
    with fake_natural(settings, "http://natural.cursors", httpx.MockTransport(fake)):
        yield fake


def test_any_cursor_round_trips_through_next_and_previous(support_client, cursor_natural):
    pages = [support_client.get("/customers/", headers=htmx(TARGET))]
    for _ in range(PAGES - 1):
        next_url = pager_link(pages[-1].content.decode(), "next")
        assert next_url, pages[-1].content.decode()[:500]
        pages.append(support_client.get("/customers/" + next_url, headers=htmx(TARGET)))
        assert pages[-1].status_code == 200, pages[-1].content.decode()[:500]

    assert cursor_natural.asked == [None, *CURSORS]
    assert pager_link(pages[-1].content.decode(), "next") is None

    back = pages[-1]
    for expected in reversed(pages[:-1]):
        back = support_client.get("/customers/" + pager_link(back.content.decode(), "prev"))
        assert back.status_code == 200
        assert row_ids(back) == row_ids(expected)


@pytest.mark.parametrize("cursor", CURSORS)
def test_a_shared_link_with_any_cursor_opens_that_page(support_client, cursor_natural, cursor):
    response = support_client.get("/customers/", {"cursor": cursor})

    assert response.status_code == 200
    assert cursor_natural.asked == [cursor]


def test_a_cursor_longer_than_natural_allows_is_refused_at_the_field(
    support_client, cursor_natural
):
    response = support_client.get("/customers/", {"cursor": "x" * 1025})

    assert response.status_code == 400
    assert cursor_natural.asked == []
