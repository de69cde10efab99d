"""The login page (password and single sign-on) and the security log."""

from __future__ import annotations

from allauth.account.views import LoginView
from django.conf import settings
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.security_table import SecurityLogForm
from dashboard import roles
from saved_views.bar import ViewBar
from tables import local
from tables.catalog import DECLARED


class SignInView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.PASSWORD_LOGIN_ENABLED:
            return render(
                request,
                "accounts/password_login_off.html",
                {"provider_name": settings.OIDC_PROVIDER_NAME},
                status=403,
            )
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(
            sso_enabled=settings.SSO_ENABLED,
            provider_name=settings.OIDC_PROVIDER_NAME,
            password_login_enabled=settings.PASSWORD_LOGIN_ENABLED,
        )
        return context


sign_in = login_not_required(SignInView.as_view())


@require_GET
@permission_required(roles.SECURITY_LOG, raise_exception=True)
def security_log(request: HttpRequest) -> HttpResponse:
    """Newest first; `?user=` narrows to one username, `?kind=` to one kind of event."""
    table = DECLARED["security_log"]
    form = SecurityLogForm(request.GET)
    return local.respond(request, table, form, form.events, view_bar=ViewBar(request, table.key))


@require_GET
@permission_required(roles.SECURITY_LOG, raise_exception=True)
def security_log_export(request: HttpRequest) -> HttpResponse:
    form = SecurityLogForm(request.GET)
    if not form.is_valid():
        return local.invalid_filters(form)
    return local.export_csv(
        "security-log",
        ("at", "event", "username", "actor", "address", "detail"),
        form.events().iterator(chunk_size=500),
        lambda event: (
            event.at.isoformat(),
            event.get_kind_display(),
            event.username,
            event.actor,
            event.ip_address or "",
            event.detail,
        ),
    )
