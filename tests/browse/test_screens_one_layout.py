"""Customer search has one layout, typed or reloaded, and honours the page size."""

from __future__ import annotations

import re

import pytest

from read_model.sync import sync_customers

pytestmark = pytest.mark.django_db

FILTERS = re.compile(r'<form class="filters".*?</form>', re.S)
ROW = re.compile(r"<tr[^>]*>\s*<td", re.S)


def filters_of(html: str) -> str:
    form = FILTERS.search(html).group(0)
    return re.sub(r'(name="q"[^>]*?value=")[^"]*"', r'\1"', form)


def test_a_reloaded_search_has_the_same_filters_as_the_customers_page(support_client, natural):
    sync_customers()
    listing = support_client.get("/customers/").text
    reloaded = support_client.get("/customers/", {"q": "son"}).text
    assert filters_of(reloaded) == filters_of(listing)
    assert 'name="limit"' in filters_of(reloaded)


@pytest.mark.parametrize("typed", [True, False], ids=["typed", "reloaded"])
def test_a_search_shows_as_many_rows_as_the_page_size(support_client, natural, typed):
    sync_customers()
    headers = {"HX-Request": "true", "HX-Target": "customers-table"} if typed else {}
    html = support_client.get("/customers/", {"q": "example", "limit": "50"}, headers=headers).text
    table = html.split('data-table="customers"', 1)[1]
    assert len(ROW.findall(table)) == 50
    assert "limit=50" in table  # the next page keeps the size
