"""The customers page answers a query from the local index, never by walking Natural."""

from __future__ import annotations

import pytest

from read_model.sync import sync_customers

pytestmark = pytest.mark.django_db


def test_a_query_on_the_customers_page_is_answered_from_the_index(support_client, natural):
    sync_customers()
    customer = next(c for c in natural.state.customers if c.party.email)
    part = customer.party.email.split("@")[0][1:6]
    calls_before = len(natural.request_log)

    response = support_client.get(
        "/customers/", {"q": part}, headers={"HX-Request": "true", "HX-Target": "customers-table"}
    )

    assert response.status_code == 200
    assert customer.party.id in response.text
    assert 'data-table="customers"' in response.text
    assert "<html" not in response.text
    assert len(natural.request_log) == calls_before


def test_without_a_query_the_customers_page_lists_natural_customers(support_client, natural):
    response = support_client.get(
        "/customers/", headers={"HX-Request": "true", "HX-Target": "customers-table"}
    )
    assert response.status_code == 200
    assert response.text.count('data-table="customers"') == 1
    assert [call.path for call in natural.request_log] == ["/customers"]
