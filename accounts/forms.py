from __future__ import annotations

from allauth.account.forms import LoginForm


class PasswordLoginForm(LoginForm):
    """allauth's login form, posting `username` like every password manager and script expects."""

    def add_prefix(self, field_name: str) -> str:
        return "username" if field_name == "login" else super().add_prefix(field_name)
