"""What a user chose about a table: the columns they hide, and the views they saved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

NAME_MAX = 60


class ColumnChoice(models.Model):
    """The columns one user hides in one table. Kept on the server, so it follows the user
    to any browser."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    table = models.CharField(max_length=40)
    hidden = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "table"], name="one_column_choice_per_table")
        ]

    def __str__(self) -> str:
        return f"{self.table}: {len(self.hidden)} hidden"


class SavedView(models.Model):
    """A named table question: its query string (filters, sort, page size; never where in
    the list) and the columns it hides. Private to its owner unless shared with the team."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    table = models.CharField(max_length=40)
    name = models.CharField(max_length=NAME_MAX)
    query = models.TextField(blank=True)
    hidden = models.JSONField(default=list)
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [Lower("name"), "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "owner", "table", name="saved_view_name_per_owner_and_table"
            )
        ]
        indexes = [models.Index(fields=["table", "shared"], name="saved_view_table_shared")]

    def __str__(self) -> str:
        return self.name
