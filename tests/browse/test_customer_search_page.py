"""The search page, its htmx partial, the id fall-through, freshness and the refresh button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from read_model import sync, tasks
from read_model.models import SyncRun

SEARCH = reverse("customer-search")
STATUS = reverse("customer-index-status")
REFRESH = reverse("customer-index-refresh")
TABLE = {"HX-Request": "true", "HX-Target": "customers-table"}


@pytest.fixture
def indexed(natural):
    """The sandbox's customers, synced into the index."""
    sync.sync_customers()
    return natural


@pytest.fixture
def run_in_request(monkeypatch):
    """The refresh button's pass, handed to a worker, run to the end before the response."""
    monkeypatch.setattr(tasks, "launch", sync.run_pass)


def test_support_finds_a_customer_by_part_of_the_email(support_client, add_customer):
    add_customer("Jane Doe", "jane.doe+billing@example.com", agents=["Invoice Agent"])
    add_customer("Someone Else", "else@example.com")

    page = support_client.get(SEARCH, {"q": "doe+bill"}).content.decode()

    assert "jane.<mark>doe+bill</mark>ing@example.com" in page
    assert "Someone Else" not in page
    assert "Invoice Agent" in page
    assert "$1,000.00" in page
    assert 'id="customers-table"' in page
    assert "<html" in page


def test_htmx_gets_only_the_table(support_client, add_customer):
    add_customer("Jane Doe")

    response = support_client.get(SEARCH, {"q": "jane"}, headers=TABLE)

    body = response.content.decode()
    assert 'data-table="customers"' in body
    assert "<html" not in body
    assert "<mark>Jane</mark> Doe" in body
    assert "HX-Request" in response["Vary"]


def test_a_hostile_name_is_shown_inert(support_client, indexed):
    page = support_client.get(SEARCH, {"q": "script"}).content.decode()

    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in page
    assert "<script>alert(1)" not in page


def test_pagination_links_keep_the_query(support_client, add_customer):
    for number in range(30):
        add_customer(f"Customer {number:02}")

    first = support_client.get(SEARCH, {"q": "customer"}).content.decode()
    second = support_client.get(SEARCH, {"q": "customer", "offset": "20"}).content.decode()

    assert 'href="?q=customer&amp;offset=20"' in first
    assert 'href="?q=customer"' in second
    assert "<mark>Customer</mark> 00" in second


def test_an_unindexed_party_id_falls_through_to_natural(support_client, natural):
    customer = next(iter(natural.state.customers))

    page = support_client.get(SEARCH, {"q": customer.party.id}).content.decode()

    assert "not in the index yet" in page
    assert customer.delegation.id not in page  # shown as a row, not a dump
    assert page.count(f'data-copy="{customer.party.id}"') == 1
    fetched = [r for r in natural.request_log_snapshot() if r.path.startswith("/customers/pty_")]
    assert len(fetched) == 1


def test_an_unknown_party_id_says_so(support_client, natural):
    page = support_client.get(SEARCH, {"q": "pty_" + "0" * 32}).content.decode()

    assert "No customer with id pty_" in page


def test_an_indexed_party_id_never_asks_natural(support_client, indexed):
    party_id = next(iter(indexed.state.customers)).party.id
    indexed.clear_request_log()

    page = support_client.get(SEARCH, {"q": party_id}).content.decode()

    assert "not in the index yet" not in page
    assert party_id in page
    assert indexed.request_log_snapshot() == []


def test_natural_down_on_fall_through_shows_a_banner(support_client, natural_down):
    response = support_client.get(SEARCH, {"q": "pty_" + "1" * 32})

    assert response.status_code == 502
    assert "notice-error" in response.content.decode()


def test_says_how_fresh_the_index_is(support_client, finished_run):
    SyncRun.objects.filter(pk=finished_run.pk).update(
        finished_at=timezone.now() - timedelta(minutes=3), seen=1234
    )

    page = support_client.get(SEARCH).content.decode()

    assert "Index updated" in page
    assert "3 minutes ago</time>" in page
    assert "1234 customers" in page
    assert "notice-warn" not in page


def test_warns_when_older_than_the_configured_age(support_client, finished_run, settings):
    settings.CUSTOMER_INDEX_MAX_AGE = timedelta(minutes=30)
    SyncRun.objects.filter(pk=finished_run.pk).update(
        finished_at=timezone.now() - timedelta(minutes=45)
    )

    page = support_client.get(SEARCH).content.decode()

    assert "The index is older than 30 minutes" in page
    assert "Ask an admin to refresh it" in page


def test_warns_when_never_built(support_client, db):
    page = support_client.get(SEARCH).content.decode()

    assert "has not been built yet" in page
    assert "notice-warn" in page


def test_support_may_not_refresh(support_client, natural):
    response = support_client.post(REFRESH, headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert not SyncRun.objects.exists()
    assert "Refresh index" not in support_client.get(SEARCH).content.decode()


def test_admin_refresh_runs_a_pass_and_answers_with_the_status(
    admin_client, natural, run_in_request
):
    response = admin_client.post(REFRESH, headers={"HX-Request": "true"})

    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div id="customer-index-status"')
    assert SyncRun.objects.get().state == SyncRun.State.COMPLETE
    assert "Index updated" in body


def test_refresh_without_htmx_redirects_back(admin_client, natural, run_in_request):
    response = admin_client.post(REFRESH, {"next": "/customers/search/?q=jane"})

    assert response.status_code == 302
    assert response["Location"] == "/customers/search/?q=jane"


def test_refresh_while_running_starts_nothing(admin_client, natural, monkeypatch):
    sync.claim(started_by="cron")
    monkeypatch.setattr(tasks, "launch", lambda run: pytest.fail("a second pass started"))

    body = admin_client.post(REFRESH, headers={"HX-Request": "true"}).content.decode()

    assert "already being refreshed" in body
    assert SyncRun.objects.count() == 1


def test_progress_survives_a_reload_and_polls(admin_client, db):
    now = timezone.now()
    run = SyncRun.objects.create(started_at=now, heartbeat_at=now, pages=12, seen=1200)

    page = admin_client.get(SEARCH).content.decode()

    assert "Refreshing the index: 12 pages, 1200 customers so far" in page
    assert f'hx-get="{STATUS}?watch={run.pk}"' in page
    assert 'hx-trigger="every 1s"' in page
    assert "Refresh index</button>" not in page


def test_polling_stops_and_the_table_reloads_when_the_pass_completes(admin_client, db):
    now = timezone.now()
    run = SyncRun.objects.create(
        state=SyncRun.State.COMPLETE, started_at=now, heartbeat_at=now, finished_at=now
    )

    response = admin_client.get(STATUS, {"watch": run.pk}, headers={"HX-Request": "true"})

    assert response["HX-Trigger"] == "customer-index-updated"
    assert "every 1s" not in response.content.decode()


def test_a_failed_refresh_is_reported(admin_client, db):
    now = timezone.now()
    SyncRun.objects.create(
        state=SyncRun.State.FAILED,
        started_at=now,
        heartbeat_at=now,
        finished_at=now,
        pages=3,
        error="Natural is unavailable.",
    )

    page = admin_client.get(SEARCH).content.decode()

    assert "The last refresh failed after 3 pages (Natural is unavailable.)" in page


def test_anonymous_users_are_sent_to_login(client, db):
    for url in (SEARCH, STATUS):
        assert client.get(url).status_code == 302
    assert client.post(REFRESH).status_code == 302
    assert not SyncRun.objects.exists()


CUSTOMERS = reverse("customer-list")


def shown_names(response) -> list[str]:
    return [row["name"] for row in response.context_data["rows"]]


def test_the_customers_sort_by_a_column_from_the_local_index(natural, support_client, add_customer):
    add_customer("Bea Brown", "bea@example.com")
    add_customer("Cal Clark", "cal@example.com")
    add_customer("Ada Adams", "ada@example.com")

    page = support_client.get(CUSTOMERS).content.decode()
    # The headers offer the sort, as every table answered from the local copy does.
    assert '<a class="sort" href="?sort=name"' in page
    assert 'title="Sort by customer (from the local copy)"' in page

    by_name = support_client.get(CUSTOMERS, {"sort": "name"})
    assert by_name.status_code == 200
    assert shown_names(by_name) == ["Ada Adams", "Bea Brown", "Cal Clark"]
    assert "3 customers, as of" in by_name.content.decode()
    assert 'aria-sort="ascending"' in by_name.content.decode()
    reversed_names = support_client.get(CUSTOMERS, {"sort": "-name"}, headers=TABLE)
    assert shown_names(reversed_names) == ["Cal Clark", "Bea Brown", "Ada Adams"]
    newest_first = support_client.get(CUSTOMERS, {"sort": "-created_at"})
    assert shown_names(newest_first) == ["Ada Adams", "Cal Clark", "Bea Brown"]


def test_a_search_sorts_by_a_column_too(support_client, add_customer):
    add_customer("Zed Example", "zed@example.com")
    add_customer("Amy Example", "amy@example.com")
    add_customer("Other Person", "other@elsewhere.org")

    response = support_client.get(CUSTOMERS, {"q": "example", "sort": "name"})
    assert shown_names(response) == ["Amy Example", "Zed Example"]
    assert "2 customers matching “example”" in response.content.decode()


def test_a_sort_no_column_offers_is_a_field_error(support_client, add_customer):
    add_customer("Ada Adams")
    response = support_client.get(CUSTOMERS, {"sort": "permissions"})
    assert response.status_code == 400
    assert "is not a column to sort by" in response.content.decode()
