"""The "Natural requests" page's query: the outbound call log, filtered, newest first."""

from __future__ import annotations

import re

from django import forms
from django.db.models import QuerySet

from natural.models import ApiCall

PAGE_SIZE = 50
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
# `404`, `4xx`, or `none` (no answer at all: a timeout or a dropped connection).
STATUS = re.compile(r"^(?:[1-5][0-9]{2}|[1-5]xx|none)$")


class RequestLogFilterForm(forms.Form):
    method = forms.ChoiceField(
        label="Method", required=False, choices=[("", "Any method"), *((m, m) for m in METHODS)]
    )
    path = forms.CharField(label="Path contains", required=False, max_length=200)
    status = forms.CharField(label="Status", required=False, max_length=4)
    support_id = forms.CharField(label="Support id", required=False, max_length=100)
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_status(self) -> str:
        value = self.cleaned_data["status"].strip().lower()
        if value and not STATUS.match(value):
            raise forms.ValidationError("Use a status such as 404, a class such as 5xx, or none.")
        return value

    def calls(self) -> QuerySet[ApiCall]:
        """The matching calls, newest first, from the `before` id down."""
        data = self.cleaned_data
        calls = ApiCall.objects.order_by("-id")
        if data["method"]:
            calls = calls.filter(method=data["method"])
        if data["path"].strip():
            calls = calls.filter(path__icontains=data["path"].strip())
        status = data["status"]
        if status == "none":
            calls = calls.filter(status__isnull=True)
        elif status.endswith("xx"):
            low = int(status[0]) * 100
            calls = calls.filter(status__gte=low, status__lt=low + 100)
        elif status:
            calls = calls.filter(status=int(status))
        if data["support_id"].strip():
            calls = calls.filter(support_id=data["support_id"].strip())
        if data["before"]:
            calls = calls.filter(id__lt=data["before"])
        return calls

    def page(self) -> tuple[list[ApiCall], int | None]:
        """One page of calls and the id the next (older) page starts before, if any."""
        rows = list(self.calls()[: PAGE_SIZE + 1])
        older = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
        return rows[:PAGE_SIZE], older
