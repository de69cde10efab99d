"""The "Natural requests" page's query: the outbound call log, filtered, searched, sorted."""

from __future__ import annotations

import re

from django import forms
from django.db.models import Q, QuerySet

from natural.models import ApiCall
from tables.local import LocalTableForm

METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
# `404`, `4xx`, or `none` (no answer at all: a timeout or a dropped connection).
STATUS = re.compile(r"^(?:[1-5][0-9]{2}|[1-5]xx|none)$")


class RequestLogFilterForm(LocalTableForm):
    sortable = {
        "created_at": "created_at",
        "method": "method",
        "path": "path",
        "status": "status",
        "duration_ms": "duration_ms",
        "attempt": "attempt",
        "support_id": "support_id",
        "idempotency_key": "idempotency_key",
    }
    default_order = ("-created_at", "-id")

    method = forms.ChoiceField(
        label="Method", required=False, choices=[("", "Any method"), *((m, m) for m in METHODS)]
    )
    status = forms.CharField(label="Status", required=False, max_length=4)
    path = forms.CharField(label="Path contains", required=False, max_length=200)
    support_id = forms.CharField(label="Support id", required=False, max_length=100)
    # The requests of one write: its audit entry links here with its key.
    key = forms.CharField(label="Idempotency key", required=False, max_length=255)

    filter_fields = ("method", "status", "path", "support_id", "key")

    def clean_status(self) -> str:
        value = self.cleaned_data["status"].strip().lower()
        if value and not STATUS.match(value):
            raise forms.ValidationError("Use a status such as 404, a class such as 5xx, or none.")
        return value

    def calls(self) -> QuerySet[ApiCall]:
        """The matching calls, in the order asked (newest first by default)."""
        data = self.cleaned_data
        calls = ApiCall.objects.all()
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
        if data["key"].strip():
            calls = calls.filter(idempotency_key=data["key"].strip())
        text = (data.get("q") or "").strip()
        if text:
            calls = calls.filter(
                Q(path__icontains=text)
                | Q(support_id__icontains=text)
                | Q(idempotency_key__icontains=text)
                | Q(error__icontains=text)
            )
        return self.ordered(calls)
