"""The saved views page is one of the tables: the same counts, pager, search, sort, filters,
empty state and export as every list, and each row's open, rename, share and delete."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model

from saved_views.models import SavedView
from tests.browse.support import htmx

pytestmark = pytest.mark.django_db

TARGET = "saved-views-table"


def user(username: str):
    return get_user_model().objects.get(username=username)


def view(owner: str, name: str, table: str = "agent_invitations", **fields) -> SavedView:
    return SavedView.objects.create(owner=user(owner), table=table, name=name, **fields)


def names(response) -> list[str]:
    return [row["name"] for row in response.context["rows"]]


def caption(body: str) -> str:
    found = re.search(r"<caption[^>]*>(.*?)</caption>", body, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).split()


def exported(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def three_users(admin_client, manager_client, support_client):
    """A client for each role; each role's user exists from here on."""
    return admin_client, manager_client, support_client


def test_the_views_are_counted_and_paged_as_every_table(admin_client):
    for number in range(25):
        view("admin", f"View {number:02}")
    response = admin_client.get("/views/")
    body = response.content.decode()
    assert " ".join(caption(body)) == "Saved views · 25 views"
    assert "1–20 of 25" in body
    assert re.search(r'<a class="button small" rel="next" href="\?offset=20"', body)
    assert names(response) == [f"View {number:02}" for number in range(20)]

    following = admin_client.get("/views/", {"offset": 20})
    assert names(following) == [f"View {number:02}" for number in range(20, 25)]
    assert "21–25 of 25" in following.content.decode()
    assert len(names(admin_client.get("/views/", {"limit": 50}))) == 25


def test_support_has_no_review_queue_views_and_no_such_choice(three_users):
    _, _, support = three_users
    view("manager", "Big limits", "review_queue", shared=True)
    view("manager", "Team pending", shared=True)

    page = support.get("/views/")
    assert names(page) == ["Team pending"]
    choices = re.search(r'<select name="table"[^>]*>(.*?)</select>', page.content.decode(), re.S)
    assert "Agent invitations" in choices.group(1)
    assert "Review queue" not in choices.group(1)

    refused = support.get("/views/", {"table": "review_queue"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Select a valid choice. review_queue is not one of the available choices." in body
    assert "Big limits" not in body


def test_a_manager_narrows_to_the_review_queue_views(three_users):
    _, manager, _ = three_users
    view("manager", "Big limits", "review_queue", shared=True)
    view("manager", "Team pending", shared=True)
    response = manager.get("/views/", {"table": "review_queue"})
    assert names(response) == ["Big limits"]
    assert "1 view, filtered" in response.content.decode()


def test_the_views_of_the_user_or_of_others(three_users):
    admin, _, _ = three_users
    view("admin", "Mine")
    view("manager", "Theirs", shared=True)
    view("manager", "Their private one")
    assert names(admin.get("/views/")) == ["Mine", "Theirs"]
    assert names(admin.get("/views/", {"whose": "mine"})) == ["Mine"]
    assert names(admin.get("/views/", {"whose": "others"})) == ["Theirs"]


def test_search_as_you_type_finds_a_name_an_owner_a_table_or_a_filter(three_users):
    admin, _, _ = three_users
    view("admin", "Pending by expiry", query="status=PENDING")
    view("manager", "Revoked ones", "agent_delegations", query="status=revoked", shared=True)
    view("admin", "Audit failures", "audit_log", query="state=failed")

    assert names(admin.get("/views/", {"q": "expiry"})) == ["Pending by expiry"]
    assert names(admin.get("/views/", {"q": "manag"})) == ["Revoked ones"]
    assert names(admin.get("/views/", {"q": "delegations"})) == ["Revoked ones"]
    assert names(admin.get("/views/", {"q": "failed"})) == ["Audit failures"]

    typed = admin.get("/views/", {"q": "expiry"}, headers=htmx(TARGET))
    body = typed.content.decode()
    assert "<html" not in body
    assert "<mark>expiry</mark>" in body
    assert "1 view, filtered" in body


def test_a_header_sorts_the_views(three_users):
    admin, _, _ = three_users
    view("admin", "b view", "customers")
    view("manager", "A view", "audit_log", shared=True)
    view("admin", "c view", "agent_invitations")

    # By table (as the page grouped them: Agent invitations, Audit log, Customers), then by
    # name, whatever the letters' case.
    assert names(admin.get("/views/")) == ["c view", "A view", "b view"]
    assert names(admin.get("/views/", {"sort": "name"})) == ["A view", "b view", "c view"]
    assert names(admin.get("/views/", {"sort": "-name"})) == ["c view", "b view", "A view"]
    by_owner = admin.get("/views/", {"sort": "-owner"})
    assert names(by_owner)[0] == "A view"
    assert 'aria-sort="descending"' in by_owner.content.decode()
    assert names(admin.get("/views/", {"sort": "table"})) == ["c view", "A view", "b view"]

    refused = admin.get("/views/", {"sort": "query"})
    assert refused.status_code == 400
    assert "“query” is not a column to sort by" in refused.content.decode()


def test_nothing_saved_and_nothing_found_say_so(admin_client):
    empty = admin_client.get("/views/").content.decode()
    assert "No saved view yet: save one from the “Save view…” menu above any table." in empty
    assert "Saved views · 0 views" in " ".join(caption(empty))

    view("admin", "Mine")
    missed = admin_client.get("/views/", {"q": "zzz"}).content.decode()
    assert "Nothing matches <strong>Search</strong> = “zzz”." in missed
    assert missed.count(">Clear filters</a>") == 2  # the filter bar's and the empty state's


def test_each_row_offers_what_its_user_may_do(three_users):
    admin, manager, _ = three_users
    mine = view("manager", "Mine")
    theirs = view("admin", "Theirs", shared=True)

    body = manager.get("/views/").content.decode()
    assert f'href="/views/{mine.pk}/rename/"' in body
    assert f'href="/views/{theirs.pk}/rename/"' not in body
    assert "Delete the view Mine" in body
    assert "Delete the view Theirs" not in body
    assert body.count('action="/views/open/"') == 2

    # An admin may delete any shared view, and rename only their own.
    body = admin.get("/views/").content.decode()
    assert "Delete the view Theirs" in body
    assert "Delete the view Mine" not in body
    assert f'href="/views/{mine.pk}/rename/"' not in body


def test_the_owner_renames_and_shares_from_the_list_and_comes_back_to_it(three_users):
    _, manager, _ = three_users
    kept = view("manager", "Old name")
    listing = manager.get("/views/", {"whose": "mine", "sort": "-name"}).content.decode()
    link = re.search(rf'href="(/views/{kept.pk}/rename/[^"]*)"', listing).group(1)
    form = manager.get(link.replace("&amp;", "&")).content.decode()
    assert f'name="view-{kept.pk}-name" id="id_view-{kept.pk}-name" value="Old name"' in form
    back = re.search(r'name="back" value="([^"]*)"', form).group(1).replace("&amp;", "&")
    assert back == "whose=mine&sort=-name"

    response = manager.post(
        f"/views/{kept.pk}/rename/",
        {"back": back, f"view-{kept.pk}-name": "New name", f"view-{kept.pk}-shared": "on"},
    )
    assert response["Location"] == "/views/?whose=mine&sort=-name"
    kept.refresh_from_db()
    assert (kept.name, kept.shared) == ("New name", True)
    assert "Renamed “Old name” to “New name”." in manager.get(response["Location"]).text


def test_a_delete_comes_back_to_the_list_as_it_was(three_users):
    admin, _, _ = three_users
    gone = view("admin", "Gone soon")
    listing = admin.get("/views/", {"q": "soon", "limit": 50}).content.decode()
    assert 'name="back" value="q=soon&amp;limit=50"' in listing
    response = admin.post(f"/views/{gone.pk}/delete/", {"back": "q=soon&limit=50&next=//evil"})
    assert response["Location"] == "/views/?q=soon&limit=50"
    assert not SavedView.objects.exists()


def test_the_export_holds_what_the_list_shows_in_its_order(three_users):
    admin, _, _ = three_users
    for number in range(30):
        view("admin", f"Queue {number:02}", query=f"status=PENDING&limit={number}")
    view("admin", "Something else")
    view("manager", "Theirs, private")
    question = {"q": "queue", "sort": "-name"}

    shown, offset = [], 0
    while True:
        page = admin.get("/views/", {**question, "offset": offset})
        shown += names(page)
        if not page.context["pager"].next:
            break
        offset += 20
    export_link = re.search(r'href="(/views/export\.csv[^"]*)"', page.content.decode()).group(1)
    response = admin.get(export_link.replace("&amp;", "&"))
    rows = exported(response)
    assert rows[0] == [
        "name",
        "table",
        "owner",
        "shared",
        "query",
        "hidden_columns",
        "changed_at",
    ]
    assert [row[0] for row in rows[1:]] == shown
    assert len(shown) == 30
    first = ["Queue 29", "Agent invitations", "admin", "no", "status=PENDING&limit=29"]
    assert rows[1][:5] == first


def test_a_bad_filter_exports_nothing(support_client):
    response = support_client.get("/views/export.csv", {"table": "review_queue"})
    assert response.status_code == 400
    assert "Table: Select a valid choice." in response.content.decode()
