"""An audit filter that cannot be read is an error at its field; it never widens the answer."""

from __future__ import annotations

import html

import pytest

from natural import writes
from operations import engine
from operations.models import Operation

BAD_FILTERS = [
    ({"state": "bogus"}, "State"),
    ({"since": "2026-13-45"}, "From"),
    ({"until": "yesterday"}, "To"),
    ({"action": "drop_tables"}, "Action"),
    ({"actor": "nobody-of-that-name"}, "Actor"),
]


@pytest.fixture
def two_operations(admin):
    for index in range(2):
        engine.prepare(
            key=f"00000000-0000-4000-8000-00000000000{index}",
            actor=admin,
            action="invite_customers",
            method="POST",
            path=f"/agents/agt_{index}/customers",
            body=writes.encode({"data": {"n": index}}),
            idempotent=True,
        )
    return list(Operation.objects.all())


@pytest.mark.parametrize(("query", "label"), BAD_FILTERS)
def test_an_invalid_filter_is_shown_at_its_field_and_lists_nothing(
    admin_client, two_operations, query, label
):
    response = admin_client.get("/audit/", {**query, "q": "agt_1"})
    text = html.unescape(response.content.decode())

    assert response.status_code == 400
    assert f"{label}:" in text
    assert 'value="agt_1"' in text
    assert not any(str(operation.key) in text for operation in two_operations)


@pytest.mark.parametrize(("query", "label"), BAD_FILTERS)
def test_the_table_partial_says_which_filter_is_invalid(admin_client, two_operations, query, label):
    response = admin_client.get(
        "/audit/", query, headers={"HX-Request": "true", "HX-Target": "audit-table"}
    )
    text = html.unescape(response.content.decode())

    assert response.status_code == 400
    assert "<html" not in text
    assert f"{label}:" in text
    assert not any(str(operation.key) in text for operation in two_operations)


@pytest.mark.parametrize(("query", "label"), BAD_FILTERS)
def test_the_csv_export_never_exports_the_unfiltered_log(
    admin_client, two_operations, query, label
):
    response = admin_client.get("/audit/export.csv", query)
    content = response.content.decode() if not response.streaming else ""

    assert response.status_code == 400
    assert label in content
    assert not any(str(operation.key) in content for operation in two_operations)
