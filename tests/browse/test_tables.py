"""Every browse table: page or partial, Vary, history restore, one upstream call."""

from __future__ import annotations

import re

import pytest

from tests.browse.support import htmx, upstream

TABLES = [
    ("/invitations/", "invitations-table", "/agents/invitations"),
    ("/invitations/delegation/", "delegation-invitations-table", "/agent-delegation-invitations"),
    ("/customers/", "customers-table", "/customers"),
    ("/delegations/", "delegations-table", "/agent-delegations"),
]


@pytest.mark.parametrize(("url", "target", "path"), TABLES)
def test_full_page_without_htmx(warm_natural, support_client, url, target, path):
    response = support_client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert f'id="{target}"' in body
    assert "<table" in body
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(("url", "target", "path"), TABLES)
def test_partial_for_its_own_target(warm_natural, support_client, url, target, path):
    response = support_client.get(url, headers=htmx(target))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "<form" not in body
    assert "<table" in body
    assert "data-focus-after-swap" in body
    assert 'data-announce="' in body
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(("url", "target", "path"), TABLES)
def test_htmx_request_for_another_target_gets_the_page(
    warm_natural, support_client, url, target, path
):
    response = support_client.get(url, headers=htmx("main"))
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(("url", "target", "path"), TABLES)
def test_history_restore_gets_the_full_page(warm_natural, support_client, url, target, path):
    headers = htmx(target, **{"HX-History-Restore-Request": "true"})
    response = support_client.get(url, headers=headers)
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(("url", "target", "path"), TABLES)
def test_exactly_one_upstream_call_per_partial(warm_natural, support_client, url, target, path):
    response = support_client.get(url + "?limit=50", headers=htmx(target))
    assert response.status_code == 200
    calls = upstream(warm_natural, include_agents=True)
    assert [(call.method, call.path) for call in calls] == [("GET", path)]


@pytest.mark.parametrize(("url", "target", "path"), TABLES)
def test_one_upstream_call_even_with_a_cold_agents_cache(
    natural, support_client, url, target, path
):
    """Rows carry agent names themselves; the agents list is only fetched for the filter bar."""
    support_client.get(url, headers=htmx(target))
    assert [call.path for call in upstream(natural, include_agents=True)] == [path]


@pytest.mark.parametrize(("url", "target", "path"), TABLES)
def test_table_markup_is_accessible(warm_natural, support_client, url, target, path):
    body = support_client.get(url, headers=htmx(target)).content.decode()
    assert '<caption tabindex="-1" data-focus-after-swap>' in body
    assert '<th scope="col">' in body
    assert re.search(r'data-announce="20 [a-z ]+ on this page', body)


@pytest.mark.parametrize(("url", "target", "path"), TABLES)
def test_page_size_is_sent_upstream(warm_natural, support_client, url, target, path):
    support_client.get(url + "?limit=100", headers=htmx(target))
    (call,) = upstream(warm_natural)
    assert "limit=100" in call.query


def test_rows_link_to_details_and_ids_can_be_copied(warm_natural, support_client):
    body = support_client.get("/delegations/").content.decode()
    assert 'href="/delegations/adl_' in body
    assert 'href="/customers/pty_' in body
    assert 'class="copy" data-copy="adl_' in body


@pytest.mark.parametrize("status", ["PENDING", "ACCEPTED", "DECLINED", "EXPIRED", "CANCELED"])
def test_each_status_has_its_own_badge(warm_natural, support_client, status):
    body = support_client.get(f"/invitations/?status={status}").content.decode()
    assert f'class="badge badge-{status.lower()}"' in body


def test_revoked_delegations_show_revoked(warm_natural, support_client):
    body = support_client.get("/delegations/?include_revoked=on&limit=100").content.decode()
    assert "badge badge-revoked" in body
    assert "badge badge-active" in body
    without = support_client.get("/delegations/?limit=100").content.decode()
    assert "badge badge-revoked" not in without


def test_export_link_carries_the_filters_without_paging(warm_natural, support_client):
    body = support_client.get("/invitations/?status=PENDING&limit=50").content.decode()
    assert 'href="/invitations/export.csv?status=PENDING"' in body


@pytest.mark.django_db(transaction=True)
def test_a_partial_asks_the_database_only_for_its_session_user_and_permissions(
    warm_natural, support_client
):
    """No shell role or navigation for a region that shows neither, one query for the user's
    permissions, and the call log row is not written while the page waits."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = support_client.get("/invitations/?limit=50", headers=htmx("invitations-table"))
    assert response.status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    assert len(statements) == 3, statements
    assert not [sql for sql in statements if sql.lstrip().upper().startswith("INSERT")]


def test_delegation_invitations_show_any_picked_when_no_status_is_asked(
    warm_natural, support_client
):
    """The rows are of every status, so the chip that says so is the one drawn as picked."""
    body = support_client.get("/invitations/delegation/").content.decode()
    any_chip = re.search(r'<input type="radio" name="status" value=""[^>]*>', body)
    assert any_chip
    assert "checked" in any_chip.group(0)

    body = support_client.get("/invitations/delegation/?status=PENDING").content.decode()
    assert "checked" not in re.search(r'<input[^>]*name="status" value=""[^>]*>', body).group(0)
    assert "checked" in re.search(r'<input[^>]*name="status" value="PENDING"[^>]*>', body).group(0)
