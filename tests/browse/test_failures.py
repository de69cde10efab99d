"""Natural down, rate limited or refusing: an honest status and a banner, never a blank swap."""

from __future__ import annotations

import httpx
import pytest

from tests.browse.support import htmx

TABLES = [
    ("/invitations/", "invitations-table"),
    ("/invitations/delegation/", "delegation-invitations-table"),
    ("/customers/", "customers-table"),
    ("/delegations/", "delegations-table"),
]


@pytest.mark.parametrize(("url", "target"), TABLES)
def test_natural_down_answers_502_with_a_retry_banner(natural_down, support_client, url, target):
    for headers in ({}, htmx(target)):
        response = support_client.get(url, headers=headers)
        body = response.content.decode()
        assert response.status_code == 502
        assert 'class="notice notice-error upstream-error" role="alert"' in body
        assert f'hx-target="#{target}">Retry</a>' in body
        assert "Traceback" not in body
        assert response["X-Natural-Error"]


@pytest.mark.parametrize(("url", "target"), TABLES)
def test_rate_limited_answers_503(natural, support_client, url, target):
    natural.faults.add("rate_limit", count=50, retry_after=30)
    response = support_client.get(url, headers=htmx(target))
    assert response.status_code == 503
    assert "Natural is limiting requests" in response.content.decode()


def test_server_errors_answer_502(natural, support_client):
    natural.faults.add("error", status=500, count=50, path="^/customers$")
    response = support_client.get("/customers/", headers=htmx("customers-table"))
    assert response.status_code == 502
    assert "Retry</a>" in response.content.decode()


def test_read_timeout_answers_504(natural, support_client):
    from natural import client

    def too_slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client.use_transport(httpx.MockTransport(too_slow))
    response = support_client.get("/delegations/", headers=htmx("delegations-table"))
    assert response.status_code == 504
    assert "Retry</a>" in response.content.decode()


def test_expired_cursor_says_start_again(natural, support_client):
    response = support_client.get("/customers/?cursor=cur_forged", headers=htmx("customers-table"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "This page link is no longer valid" in body
    assert 'href="/customers/">Start again</a>' in body


def test_the_table_region_swaps_its_own_errors(natural, support_client):
    body = support_client.get("/customers/").content.decode()
    assert 'id="customers-table" class="table-wrap" data-swap-errors' in body
