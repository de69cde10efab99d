"""Naming a view: checked here, with the reason shown at the name field."""

from __future__ import annotations

from django import forms

from saved_views.models import NAME_MAX, SavedView
from saved_views.queries import QUERY_MAX, view_query


class ViewNameForm(forms.Form):
    # No max_length on the field: a too-long name is refused with its length, and what was
    # typed comes back in the field rather than cut off by the browser.
    name = forms.CharField(
        label="Name", required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    shared = forms.BooleanField(label="Share with the team", required=False)

    def __init__(self, *args, owner, table: str, instance: SavedView | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner, self.table, self.instance = owner, table, instance

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the view a name.", code="blank")
        if len(name) > NAME_MAX:
            raise forms.ValidationError(
                f"A view name has at most {NAME_MAX} characters; this one has {len(name)}.",
                code="too_long",
            )
        others = SavedView.objects.filter(owner=self.owner, table=self.table, name__iexact=name)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                f"You already have a view called “{name}” for this table: choose another name,"
                " or delete that one first.",
                code="duplicate",
            )
        return name


class SaveViewForm(ViewNameForm):
    query = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)

    def clean_query(self) -> str:
        query = view_query(self.cleaned_data["query"])
        if len(query) > QUERY_MAX:
            raise forms.ValidationError(
                "These filters are too long to save as a view.", code="too_long"
            )
        return query
