"""The login page (password and single sign-on) and the security log."""

from __future__ import annotations

from allauth.account.views import LoginView
from django.conf import settings
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from accounts.models import SecurityEvent
from dashboard import roles


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

PAGE_SIZE = 100


@require_GET
@permission_required(roles.SECURITY_LOG, raise_exception=True)
def security_log(request: HttpRequest) -> HttpResponse:
    """Newest first; `?user=` narrows to one username, `?kind=` to one kind of event."""
    events = SecurityEvent.objects.all()
    username = request.GET.get("user", "").strip()
    kind = request.GET.get("kind", "")
    if username:
        events = events.filter(username=username)
    if kind in SecurityEvent.Kind.values:
        events = events.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "accounts/security_log.html",
        {
            "page": page,
            "username": username,
            "kind": kind,
            "kinds": SecurityEvent.Kind.choices,
        },
    )
