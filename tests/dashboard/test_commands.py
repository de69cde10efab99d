from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_create_user_with_a_role(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-strong-password-99\n"))
    call_command(
        "create_user", "maria", "--role", "manager", "--password-stdin", stdout=io.StringIO()
    )
    user = User.objects.get(username="maria")
    assert user.check_password("a-strong-password-99")
    assert [g.name for g in user.groups.all()] == ["manager"]
    assert user.has_perm("dashboard.revoke_delegations")
    assert not user.has_perm("dashboard.invite_customers")


def test_create_user_refuses_a_weak_password(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError, match="Password refused"):
        call_command("create_user", "maria", "--role", "support", "--password-stdin")


def test_roles_hold_their_permissions(make_user):
    admin, manager, support = make_user("admin"), make_user("manager"), make_user("support")
    assert admin.has_perm("dashboard.invite_customers")
    assert admin.has_perm("dashboard.view_audit")
    assert manager.has_perm("dashboard.cancel_invitations")
    assert not manager.has_perm("dashboard.invite_customers")
    assert support.has_perm("dashboard.view_natural")
    assert not support.has_perm("dashboard.revoke_delegations")
    assert not support.has_perm("dashboard.view_audit")
