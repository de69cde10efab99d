"""CSV export: the filtered view across every page, streamed, capped and spreadsheet-safe."""

from __future__ import annotations

import csv
import io

import pytest

from browse.views import export
from natural import reads
from natural.errors import NaturalUnavailable
from read_model import sync
from tests.browse.support import query_of, upstream


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_export_walks_every_page_of_the_filtered_view(warm_natural, support_client):
    response = support_client.get("/invitations/export.csv?status=PENDING&cursor=x&limit=50")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="invitations-')
    rows = _rows(response)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["id", "email", "recipient_type"]
    assert body
    assert {row[header.index("effective_status")] for row in body} == {"PENDING"}
    calls = upstream(warm_natural)
    assert len(calls) >= 1
    assert query_of(calls[0]) == {"status": ["PENDING"], "limit": ["100"]}
    assert all("cursor" in query_of(call) for call in calls[1:])
    expected = sum(
        1
        for i in warm_natural.state.invitations.newest_first()
        if i.effective_status(warm_natural.clock.now()) == "PENDING"
    )
    assert len(body) == expected


@pytest.mark.parametrize(
    ("url", "first_header"),
    [
        ("/customers/export.csv", "id"),
        ("/delegations/export.csv?include_revoked=on", "id"),
        ("/invitations/delegation/export.csv", "id"),
    ],
)
def test_every_table_exports(natural, support_client, url, first_header):
    rows = _rows(support_client.get(url))
    assert rows[0][0] == first_header
    assert len(rows) > 20


def test_export_stops_at_the_cap_and_says_so(natural, support_client, monkeypatch):
    monkeypatch.setattr(export, "MAX_ROWS", 150)
    rows = _rows(support_client.get("/customers/export.csv"))
    assert len(rows) == 1 + 150 + 1
    assert rows[-1][0].startswith("# Stopped at 150 rows")


def test_formula_cells_are_neutralised(natural, support_client):
    rows = _rows(support_client.get("/customers/export.csv"))
    names = [row[1] for row in rows[1:]]
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("plain", "plain"),
        (None, ""),
    ],
)
def test_neutralise(value, expected):
    assert export.neutralise(value) == expected


def test_invalid_filters_export_nothing(warm_natural, support_client):
    response = support_client.get("/invitations/export.csv?email=nope")
    assert response.status_code == 400
    assert upstream(warm_natural, include_agents=True) == []


def test_natural_down_export_answers_502(natural_down, support_client):
    response = support_client.get("/customers/export.csv")
    assert response.status_code == 502


def test_failure_midway_is_written_into_the_file(natural, support_client, monkeypatch):
    original = reads.list_customers
    calls = []

    def fail_after_first_page(**query):
        calls.append(query)
        if len(calls) > 1:
            raise NaturalUnavailable()
        return original(**query)

    monkeypatch.setattr(reads, "list_customers", fail_after_first_page)
    rows = _rows(support_client.get("/customers/export.csv"))
    assert len(rows) == 1 + 100 + 1
    assert rows[-1][0].startswith("# Export incomplete after 100 rows")


def test_delegations_export_of_the_revoked_chip_holds_only_revoked_rows(natural, support_client):
    """The Revoked chip alone means revoked only, in the file as on the page: both read the
    local copy, as Natural cannot list only the revoked ones."""
    sync.sync("agent_delegations")
    everything = _rows(support_client.get("/delegations/export.csv?include_revoked=on"))
    status = everything[0].index("status")
    assert {row[status] for row in everything[1:]} >= {"active", "revoked"}

    rows = _rows(support_client.get("/delegations/export.csv?status=revoked"))
    assert rows[0] == everything[0]
    revoked = [(row[0], row[status]) for row in everything[1:] if row[status] == "revoked"]
    assert [(row[0], row[status]) for row in rows[1:]] == revoked
