"""An admin clears a user's authenticator app and recovery codes (a lost phone)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import SecurityEvent
from accounts.security_log import record
from dashboard import roles


class Command(BaseCommand):
    help = (
        "Remove a user's second factor so they enrol a new one at their next login. "
        "Recorded in the security log with the admin who asked."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="whose second factor to reset")
        parser.add_argument(
            "--by", required=True, metavar="ADMIN", help="the admin's username (recorded)"
        )
        parser.add_argument("--reason", default="", help="why (recorded)")

    def handle(self, *args, username, by, reason, **options):
        users = get_user_model().objects
        try:
            user = users.get(username=username)
        except users.model.DoesNotExist as error:
            raise CommandError(f"No user named {username!r}.") from error
        admin = users.filter(username=by, is_active=True).first()
        if admin is None or roles.role_of(admin) != "admin":
            raise CommandError(f"{by!r} is not an active admin: only an admin may reset a factor.")
        with transaction.atomic():
            removed, _ = Authenticator.objects.filter(user=user).delete()
            detail = f"{removed} authenticator(s) removed" + (
                f"; reason: {reason}" if reason else ""
            )
            record(SecurityEvent.Kind.FACTOR_RESET, username=username, actor=by, detail=detail)
        if removed:
            self.stdout.write(f"Reset {username}'s second factor; they enrol again at next login.")
        else:
            self.stdout.write(f"{username} had no second factor; nothing removed (recorded).")
