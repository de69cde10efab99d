"""Password users of the roles that need a second factor enrol one before anything else."""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from dashboard.htmx import HtmxHttpRequest
from dashboard.roles import role_of

# What a person who still has to enrol may open: the enrolment itself, and the way out.
ENROLMENT_PATHS = ("mfa_activate_totp", "mfa_view_recovery_codes", "logout", "account_logout")


def signed_in_through_provider(request: HtmxHttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return bool(records) and records[0].get("method") == "socialaccount"


def needs_second_factor_enrolment(request: HtmxHttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated or not settings.MFA_REQUIRED_ROLES:
        return False
    if role_of(user) not in settings.MFA_REQUIRED_ROLES:
        return False
    if signed_in_through_provider(request):
        return False  # the identity provider enforces its own second factor
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class SecondFactorEnrolmentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.allowed_paths: frozenset[str] | None = None

    def __call__(self, request: HtmxHttpRequest) -> HttpResponse:
        if self.allowed_paths is None:
            self.allowed_paths = frozenset(reverse(name) for name in ENROLMENT_PATHS)
        if request.path in self.allowed_paths or request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        if not needs_second_factor_enrolment(request):
            return self.get_response(request)
        target = reverse("mfa_activate_totp")
        if request.htmx:
            response = HttpResponse(status=401)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
