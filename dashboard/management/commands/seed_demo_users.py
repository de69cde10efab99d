"""The three demo logins of `make demo`: one user per role, password natural-demo."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from dashboard.roles import ROLES

DEMO_PASSWORD = "natural-demo"


class Command(BaseCommand):
    help = "Create the demo users admin, manager and support (local use only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo users are for local use only (DJANGO_DEBUG=false here).")
        user_model = get_user_model()
        for role in ROLES:
            user, _ = user_model.objects.get_or_create(
                username=role, defaults={"email": f"{role}@demo.invalid"}
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
        self.stdout.write(f"Demo users: {', '.join(ROLES)} (password {DEMO_PASSWORD})")
