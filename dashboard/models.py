from __future__ import annotations

from django.db import models

from dashboard.roles import DASHBOARD_PERMISSIONS


class Access(models.Model):
    """Holds the dashboard's named permissions; it has no table of its own."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = list(DASHBOARD_PERMISSIONS.items())

    def __str__(self) -> str:
        return "dashboard permissions"
