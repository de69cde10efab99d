"""An export holds what its list shows: every page of it, in the same order, searched, sorted
and filtered as on the screen, with the same columns whichever copy the list reads."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from urllib.parse import urlencode

import pytest

from read_model import sync
from tests.browse.support import pager_link, row_ids

pytestmark = pytest.mark.django_db

PAGE = 100
QUESTIONS = [
    ("/customers/", {"q": "son"}),
    ("/customers/", {"sort": "name"}),
    ("/customers/", {"q": "mail.example", "sort": "created_at"}),
    ("/invitations/", {"q": "payroll", "sort": "email"}),
    ("/invitations/", {"status": "PENDING", "sort": "agent_name"}),
    ("/invitations/delegation/", {"q": "inbox"}),
    ("/invitations/delegation/", {"sort": "-email"}),
    ("/delegations/", {"q": "son", "sort": "customer_name"}),
    ("/delegations/", {"status": "revoked"}),
    ("/delegations/", {"counts": "on", "sort": "-per_transaction_cents"}),
]


@pytest.fixture
def read_model(natural):
    for resource in ("customers", "agent_invitations", "delegation_invitations"):
        sync.sync(resource)
    sync.sync("agent_delegations")
    return natural


def listed(client, url: str, question: dict) -> tuple[list[str], str]:
    """The ids of every row the list shows, page after page, and its first page."""
    response = client.get(url, {**question, "limit": PAGE})
    assert response.status_code == 200
    first = body = response.content.decode()
    ids = row_ids(response)
    while link := pager_link(body, "next"):
        response = client.get(url + link)
        body = response.content.decode()
        ids += row_ids(response)
    return ids, first


def exported(client, link: str) -> list[list[str]]:
    response = client.get(link)
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def export_link(body: str) -> str:
    return unescape(re.search(r'href="([^"]*/export\.csv[^"]*)"[^>]*>Export CSV', body).group(1))


@pytest.mark.parametrize(
    ("url", "question"), QUESTIONS, ids=[f"{url}?{urlencode(q)}" for url, q in QUESTIONS]
)
def test_the_export_is_every_row_the_list_shows_in_its_order(
    read_model, support_client, url, question
):
    shown, page = listed(support_client, url, question)
    assert len(shown) > 1, "the question finds rows to put in order"

    rows = exported(support_client, export_link(page))
    assert [row[0] for row in rows[1:]] == shown
    # The same columns as the export of Natural's own list.
    assert rows[0] == exported(support_client, f"{url}export.csv")[0]


def test_an_export_of_an_id_the_index_does_not_hold_yet_is_that_customer(natural, support_client):
    """The search falls through to Natural for a whole party id, and so does its export."""
    customer = next(iter(natural.state.customers.newest_first()))
    shown, page = listed(support_client, "/customers/", {"q": customer.party.id})
    assert shown == [customer.party.id]
    rows = exported(support_client, export_link(page))
    assert [row[0] for row in rows[1:]] == shown
