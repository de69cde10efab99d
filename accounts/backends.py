from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend

from dashboard.auth import FastReadsMixin


class SignInSessionBackend(FastReadsMixin, AuthenticationBackend):
    """Holds the sessions allauth starts (single sign-on); it checks no password itself.

    Passwords are checked once, by Django's ModelBackend behind django-axes, so a wrong one
    costs one hash and counts once.
    """

    def authenticate(self, request, **credentials):
        return None
