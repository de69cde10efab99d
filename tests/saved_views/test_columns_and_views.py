"""Columns and saved views through plain form posts: what works without JavaScript."""

from __future__ import annotations

import re

import pytest

from config.settings import BASE_DIR
from saved_views.models import ColumnChoice, SavedView
from saved_views.queries import MAX_COLUMN_POSITION
from tables.catalog import DECLARED
from tests.browse.support import htmx

pytestmark = pytest.mark.django_db


def region_classes(body: str, region: str) -> set[str]:
    found = re.search(rf'<div id="{region}" class="([^"]*)"', body)
    assert found, f"no #{region} in the page"
    return set(found.group(1).split())


def hidden_positions(body: str, region: str) -> set[int]:
    return {
        int(name.removeprefix("hide-col-"))
        for name in region_classes(body, region)
        if name.startswith("hide-col-")
    }


def shown_checkboxes(body: str, table: str) -> dict[str, bool]:
    form = re.search(rf'<form id="{table}-columns".*?</form>', body, re.S).group(0)
    return {
        key: bool(checked)
        for key, checked in re.findall(
            r'<input type="checkbox" name="shown" value="([^"]+)"( checked)?>', form
        )
    }


def current_view(body: str) -> str:
    found = re.search(r'<span class="menu-current"[^>]*>(?:<bdi>)?([^<]*)(?:</bdi>)?</span>', body)
    return found.group(1)


def hide(client, table: str, hidden: set[str], query: str = ""):
    keys = DECLARED[table].column_keys()
    return client.post(
        "/views/columns/",
        {"table": table, "shown": [key for key in keys if key not in hidden], "query": query},
    )


def test_hiding_columns_redirects_back_to_the_same_question(warm_natural, admin_client):
    response = hide(
        admin_client, "agent_invitations", {"agent", "expires"}, "status=PENDING&cursor=abc"
    )
    assert response.status_code == 302
    # Where in the list is not kept; which list is.
    assert response["Location"] == "/invitations/?status=PENDING"


def test_hidden_columns_follow_the_user_to_another_browser(warm_natural, browser_as):
    first, second = browser_as("admin"), browser_as("admin")
    hide(first, "agent_invitations", {"agent", "expires"})

    body = second.get("/invitations/").content.decode()
    # The admin's rows start with the select checkbox: Agent is the 3rd cell, Expires the 7th.
    assert hidden_positions(body, "invitations-table") == {3, 7}
    shown = shown_checkboxes(body, "agent_invitations")
    assert shown["agent"] is False
    assert shown["expires"] is False
    assert shown["recipient"] is True
    assert "· 2 hidden" in body


def test_without_the_select_column_the_positions_start_at_the_first_column(
    warm_natural, support_client
):
    hide(support_client, "agent_invitations", {"agent", "expires"})
    body = support_client.get("/invitations/").content.decode()
    assert hidden_positions(body, "invitations-table") == {2, 6}


@pytest.mark.parametrize(
    ("table", "url", "region", "hidden", "positions"),
    [
        (
            "delegation_invitations",
            "/invitations/delegation/",
            "delegation-invitations-table",
            {"status", "id"},
            {2, 6},
        ),
        ("agent_delegations", "/delegations/", "delegations-table", {"created"}, {8}),
    ],
)
def test_each_table_hides_the_columns_asked(
    warm_natural, manager_client, table, url, region, hidden, positions
):
    hide(manager_client, table, hidden)
    body = manager_client.get(url).content.decode()
    assert hidden_positions(body, region) == positions


def test_a_page_of_rows_swapped_in_by_htmx_does_not_read_the_column_choice_again(
    warm_natural, admin_client
):
    """The classes live on the region htmx swaps into, so the rows' partial stays as it was."""
    hide(admin_client, "agent_invitations", {"agent"})
    partial = admin_client.get(
        "/invitations/?status=PENDING", headers=htmx("invitations-table")
    ).content.decode()
    assert "hide-col" not in partial
    assert 'name="query" value="status=PENDING" form="agent_invitations-save"' in partial


def test_every_column_cannot_be_hidden(warm_natural, admin_client):
    hide(admin_client, "agent_invitations", {"agent"})
    response = hide(
        admin_client, "agent_invitations", set(DECLARED["agent_invitations"].column_keys())
    )
    assert response.status_code == 302
    page = admin_client.get(response["Location"]).content.decode()
    assert "Keep at least one column shown." in page
    assert ColumnChoice.objects.get().hidden == ["agent"]


def test_an_unknown_table_is_not_found(admin_client):
    assert admin_client.post("/views/columns/", {"table": "nope"}).status_code == 404
    assert admin_client.post("/views/save/", {"table": "nope", "name": "x"}).status_code == 404


def test_the_css_hides_every_position_a_table_can_have():
    css = (BASE_DIR / "static" / "css" / "app.css").read_text()
    for position in range(1, MAX_COLUMN_POSITION + 1):
        selector = f".hide-col-{position} table.data > * > tr > :nth-child({position})"
        assert selector in css
    for spec in DECLARED.values():
        # One select checkbox may come first.
        assert len(spec.columns) + 1 <= MAX_COLUMN_POSITION, spec.key
        assert len(set(spec.column_keys())) == len(spec.column_keys()), spec.key


# Saved views


def save(client, name: str, query: str = "status=PENDING&sort=-expires_at", **extra):
    return client.post(
        "/views/save/", {"table": "agent_invitations", "name": name, "query": query, **extra}
    )


def test_saving_a_view_keeps_the_question_and_the_columns_shown(warm_natural, admin_client):
    hide(admin_client, "agent_invitations", {"agent", "created"})
    response = save(
        admin_client, "  Pending   by expiry ", "status=PENDING&sort=-expires_at&offset=40&limit=50"
    )
    assert response.status_code == 302
    assert response["Location"] == "/invitations/?status=PENDING&sort=-expires_at&limit=50"
    view = SavedView.objects.get()
    assert (view.name, view.table, view.shared) == ("Pending by expiry", "agent_invitations", False)
    assert view.query == "status=PENDING&sort=-expires_at&limit=50"
    assert view.hidden == ["agent", "created"]
    page = admin_client.get(response["Location"]).content.decode()
    assert "Saved the view “Pending by expiry”." in page
    # The page shows that view: its name is the bar's current view.
    assert current_view(page) == "Pending by expiry"


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("   ", "Give the view a name."),
        ("x" * 61, "A view name has at most 60 characters; this one has 61."),
        ("PENDING BY EXPIRY", "You already have a view called “PENDING BY EXPIRY” for this table"),
    ],
)
def test_a_bad_name_is_refused_at_the_field_and_nothing_typed_is_lost(
    warm_natural, admin_client, name, error
):
    assert save(admin_client, "Pending by expiry").status_code == 302
    response = save(admin_client, name, "status=EXPIRED&limit=100", shared="on")
    assert response.status_code == 400
    body = response.content.decode()
    field_error = re.search(r'<p class="field-error" id="name-error">([^<]*)</p>', body)
    assert field_error
    assert error in field_error.group(1).replace("&#x27;", "'")
    assert f'name="name" id="id_name" value="{name}"' in body
    assert 'name="shared" value="on" checked' in body
    assert 'name="query" value="status=EXPIRED&amp;limit=100"' in body
    assert SavedView.objects.count() == 1


def test_the_same_name_is_fine_for_another_user_or_another_table(
    warm_natural, admin_client, manager_client
):
    assert save(admin_client, "Mine").status_code == 302
    assert save(manager_client, "Mine").status_code == 302
    response = admin_client.post(
        "/views/save/", {"table": "delegation_invitations", "name": "Mine", "query": ""}
    )
    assert response.status_code == 302
    assert SavedView.objects.count() == 3


def test_a_shared_view_is_listed_for_the_team_and_a_private_one_is_not(
    warm_natural, admin_client, support_client
):
    save(admin_client, "Team queue", shared="on")
    save(admin_client, "My own")
    page = support_client.get("/invitations/").content.decode()
    assert "Team queue" in page
    assert "shared by <bdi>admin</bdi>" in page
    assert "My own" not in page


def test_opening_a_view_applies_its_columns_and_goes_to_its_question(
    warm_natural, admin_client, support_client
):
    hide(admin_client, "agent_invitations", {"agent", "expires"})
    save(admin_client, "Team queue", shared="on")
    view = SavedView.objects.get()
    response = support_client.post("/views/open/", {"view": view.pk})
    assert response.status_code == 302
    assert response["Location"] == "/invitations/?status=PENDING&sort=-expires_at"
    body = support_client.get(response["Location"]).content.decode()
    assert hidden_positions(body, "invitations-table") == {2, 6}
    assert current_view(body) == "Team queue"


def test_someone_elses_private_view_cannot_be_opened_renamed_or_deleted(
    warm_natural, admin_client, manager_client
):
    save(admin_client, "Private")
    view = SavedView.objects.get()
    assert manager_client.post("/views/open/", {"view": view.pk}).status_code == 404
    assert manager_client.post(f"/views/{view.pk}/rename/", {}).status_code == 404
    assert manager_client.post(f"/views/{view.pk}/delete/").status_code == 404
    assert manager_client.post("/views/open/", {"view": "x"}).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_only_the_owner_or_an_admin_deletes_a_shared_view(
    warm_natural, manager_client, support_client, admin_client
):
    save(manager_client, "Shared", shared="on")
    view = SavedView.objects.get()
    assert support_client.post(f"/views/{view.pk}/delete/").status_code == 403
    assert support_client.post(f"/views/{view.pk}/rename/", {}).status_code == 403
    manage = support_client.get("/views/?table=agent_invitations").content.decode()
    assert "Shared" in manage
    assert "Delete the view" not in manage
    assert admin_client.post(f"/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_the_owner_renames_and_shares_a_view(warm_natural, manager_client):
    save(manager_client, "Old name")
    view = SavedView.objects.get()
    response = manager_client.post(
        f"/views/{view.pk}/rename/",
        {f"view-{view.pk}-name": "New name", f"view-{view.pk}-shared": "on"},
    )
    assert response.status_code == 302
    view.refresh_from_db()
    assert (view.name, view.shared) == ("New name", True)
    assert (
        "Renamed “Old name” to “New name”."
        in manager_client.get(response["Location"]).content.decode()
    )


def test_a_rename_to_a_taken_name_is_refused_at_its_field(warm_natural, manager_client):
    save(manager_client, "First")
    save(manager_client, "Second")
    second = SavedView.objects.get(name="Second")
    response = manager_client.post(
        f"/views/{second.pk}/rename/",
        {"return_table": "agent_invitations", f"view-{second.pk}-name": "first"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "You already have a view called “first” for this table" in body
    assert f'name="view-{second.pk}-name" id="id_view-{second.pk}-name" value="first"' in body
    second.refresh_from_db()
    assert second.name == "Second"


def test_the_owner_deletes_a_view(warm_natural, support_client):
    save(support_client, "Gone soon")
    view = SavedView.objects.get()
    response = support_client.post(
        f"/views/{view.pk}/delete/", {"return_table": "agent_invitations"}
    )
    assert response["Location"] == "/views/?table=agent_invitations"
    assert (
        "Deleted the view “Gone soon”." in support_client.get(response["Location"]).content.decode()
    )
    assert not SavedView.objects.exists()


def test_the_forms_need_a_post(admin_client):
    for path in ("/views/columns/", "/views/save/", "/views/open/", "/views/1/delete/"):
        assert admin_client.get(path).status_code == 405


def test_a_manager_saves_a_review_queue_view_for_the_team(warm_natural, manager_client):
    """The review queue's filters are the ones managers come back to: they save them and hide
    columns there as on any table, and another manager finds the shared view above the queue."""
    hide(manager_client, "review_queue", {"created"})
    response = save_view_of(
        manager_client, "review_queue", "Big limits", "limit_above=1000&review=unreviewed"
    )
    assert response.status_code == 302
    assert response["Location"] == "/delegations/review/?limit_above=1000&review=unreviewed"

    page = manager_client.get(response["Location"]).content.decode()
    assert current_view(page) == "Big limits"
    assert hidden_positions(page, "review-table") == {6}

    other_manager = another_manager()
    page = other_manager.get("/delegations/review/").content.decode()
    assert "Big limits" in page
    assert "shared by <bdi>manager</bdi>" in page


def test_support_never_sees_or_opens_a_view_of_the_review_queue(
    warm_natural, manager_client, support_client
):
    save_view_of(manager_client, "review_queue", "Big limits", "limit_above=1000")
    view = SavedView.objects.get()
    assert "Big limits" not in support_client.get("/views/").content.decode()
    assert support_client.post("/views/open/", {"view": view.pk}).status_code == 404
    assert hide(support_client, "review_queue", {"created"}).status_code == 403
    assert save_view_of(support_client, "review_queue", "Mine", "").status_code == 403


def save_view_of(client, table: str, name: str, query: str):
    return client.post(
        "/views/save/", {"table": table, "name": name, "query": query, "shared": "on"}
    )


def another_manager():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    user = get_user_model().objects.create_user("manager2", password="x" * 20)
    user.groups.add(Group.objects.get(name="manager"))
    browser = Client()
    browser.force_login(user)
    return browser
