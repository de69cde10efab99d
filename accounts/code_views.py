"""allauth's "enter your code" pages (sign-in and re-authentication) with the limits on guessing."""

from __future__ import annotations

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.mfa.base.views import AuthenticateView, ReauthenticateView
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.code_limits import CodeAttempt, locked_until, pending_sign_in, signed_in_session


def codes_locked(request: HttpRequest, user) -> HttpResponse:
    return render(
        request,
        "accounts/codes_locked.html",
        {"until": locked_until(user), "minutes": settings.MFA_CODE_LOCK_MINUTES},
        status=429,
    )


def check_code(request: HttpRequest, attempt: CodeAttempt, form) -> bool | None:
    """Checks the posted code within the limits: True right, False wrong, None locked out."""
    if not attempt.begin():
        return None
    if form.is_valid():
        attempt.succeeded()
        return True
    if not form.data.get("code", "").strip():
        attempt.not_checked()
        return False
    return None if attempt.failed() else False


class LimitedAuthenticateView(AuthenticateView):
    """The code step of a password sign-in; a locked account's pending sign-in ends here."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if locked_until(self.stage.login.user):
            return self._locked_out()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if self.form is None or "code" not in request.POST:
            return super().post(request, *args, **kwargs)
        user = self.stage.login.user
        attempt = CodeAttempt(request, user, pending_sign_in(self.stage.login))
        outcome = check_code(request, attempt, self.form)
        if outcome is None:
            return self._locked_out()
        return self.form_valid(self.form) if outcome else self.form_invalid(self.form)

    def _locked_out(self) -> HttpResponse:
        user = self.stage.login.user
        self.stage.abort()  # the pending sign-in ends: the password step must be done again
        return codes_locked(self.request, user)


class LimitedReauthenticateView(ReauthenticateView):
    """The "confirm it's you" page with a code; running out of guesses signs the session out."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if locked_until(request.user):
            return self._locked_out()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = self.get_form()
        attempt = CodeAttempt(request, request.user, signed_in_session(request))
        outcome = check_code(request, attempt, form)
        if outcome is None:
            return self._locked_out()
        return self.form_valid(form) if outcome else self.form_invalid(form)

    def _locked_out(self) -> HttpResponse:
        user = self.request.user
        get_account_adapter(self.request).logout(self.request)
        return codes_locked(self.request, user)


authenticate = LimitedAuthenticateView.as_view()
reauthenticate = LimitedReauthenticateView.as_view()
