"""The security log page's query: events filtered, searched and sorted, for the one table."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet

from accounts.models import SecurityEvent
from tables.local import LocalTableForm


class SecurityLogForm(LocalTableForm):
    sortable = {
        "at": "at",
        "kind": "kind",
        "username": "username",
        "actor": "actor",
        "ip_address": "ip_address",
    }
    default_order = ("-at", "-id")
    filter_fields = ("user", "kind")

    user = forms.CharField(label="Username", required=False, max_length=150)
    kind = forms.ChoiceField(
        label="Event", required=False, choices=[("", "Any event"), *SecurityEvent.Kind.choices]
    )

    def events(self) -> QuerySet[SecurityEvent]:
        data = self.cleaned_data
        events = SecurityEvent.objects.all()
        if data["user"].strip():
            events = events.filter(username=data["user"].strip())
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        text = (data.get("q") or "").strip()
        if text:
            events = events.filter(
                Q(username__icontains=text)
                | Q(actor__icontains=text)
                | Q(detail__icontains=text)
                | Q(ip_address__startswith=text)
            )
        return self.ordered(events)
