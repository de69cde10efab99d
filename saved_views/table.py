"""The saved views page as one of the tables: the views a user may see, filtered by the table
they belong to and by whose they are, searched and sorted; each row says what its user may do
with it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django import forms
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.urls import reverse

from dashboard import roles
from saved_views.bar import visible_views
from saved_views.models import SavedView
from tables.catalog import DECLARED, tables_for
from tables.local import LocalTableForm

MINE, OTHERS = "mine", "others"


def table_labels() -> Case:
    """Each view's table by its label, so a sort by table reads as the filter does."""
    return Case(
        *(When(table=key, then=Value(spec.label)) for key, spec in DECLARED.items()),
        default=F("table"),
        output_field=CharField(),
    )


class SavedViewsForm(LocalTableForm):
    """`table` narrows to the views of one table, among the tables this user may see (a table
    the user may not see is not a choice, so its views never show); `whose` to the user's own
    views or those others share."""

    sortable = {
        "name": "name_folded",
        "table": "table_label",
        "owner": "owner__username",
        "shared": "shared",
        "updated_at": "updated_at",
    }
    # As the page grouped them before it was a table: by table, then by name.
    default_order = ("table_label", "name_folded", "id")
    filter_fields = ("table", "whose")

    table = forms.ChoiceField(label="Table", required=False)
    whose = forms.ChoiceField(
        label="Whose",
        required=False,
        choices=[("", "Anyone’s"), (MINE, "Mine"), (OTHERS, "Shared by others")],
    )

    def __init__(self, data, *, user) -> None:
        super().__init__(data)
        self.user = user
        self.fields["table"].choices = [
            ("", "Every table"),
            *((key, DECLARED[key].label) for key in tables_for(user)),
        ]

    def views(self) -> QuerySet[SavedView]:
        data = self.cleaned_data
        views = visible_views(self.user, data["table"] or None).annotate(
            name_folded=Lower("name"), table_label=table_labels()
        )
        if data["whose"] == MINE:
            views = views.filter(owner=self.user)
        elif data["whose"] == OTHERS:
            views = views.exclude(owner=self.user)
        text = (data.get("q") or "").strip()
        if text:
            named = [key for key, spec in DECLARED.items() if text.lower() in spec.label.lower()]
            views = views.filter(
                Q(name__icontains=text)
                | Q(owner__username__icontains=text)
                | Q(query__icontains=text)
                | Q(table__in=named)
            )
        return self.ordered(views)


def list_url(query: str = "") -> str:
    """The saved views page with the filters, sort and page of `query`; anything else in it
    is dropped, so a form's hidden field cannot send the user elsewhere."""
    known = set(SavedViewsForm.base_fields)
    kept = [(name, value) for name, value in parse_qsl(query) if name in known]
    return reverse("saved-view-list") + (f"?{urlencode(kept)}" if kept else "")


def row(view: SavedView, user) -> dict:
    spec = DECLARED[view.table]
    mine = view.owner_id == user.pk
    return {
        "id": view.pk,
        "name": view.name,
        "url": spec.url(view.query),
        "table": spec.label,
        "owner": view.owner.get_username(),
        "mine": mine,
        "shared": view.shared,
        "query": view.query,
        "hides": [column.label for column in spec.columns if column.key in view.hidden],
        "changed": view.updated_at,
        "can_delete": mine or (view.shared and user.has_perm(roles.MANAGE_SAVED_VIEWS)),
    }
