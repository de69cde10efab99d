"""The login page (password and single sign-on) and the security log."""

from __future__ import annotations

from allauth.account.views import LoginView
from django import forms
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
# Past the last page the paginator shows the last one; this keeps the number an integer anywhere.
MAX_PAGE = 1_000_000


class SecurityLogFilterForm(forms.Form):
    """The security log's filters, checked before the log is read. A username that cannot be
    one is an error at its field; an unknown kind of event filters nothing out, and a page
    that is not a number opens the first (both as the log always did)."""

    user = forms.CharField(
        label="Username",
        required=False,
        max_length=SecurityEvent._meta.get_field("username").max_length,
    )
    kind = forms.CharField(label="Event", required=False, max_length=40)
    page = forms.CharField(label="Page", required=False, max_length=20)

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        return kind if kind in SecurityEvent.Kind.values else ""

    def clean_page(self) -> int:
        page = self.cleaned_data["page"]
        return max(1, min(int(page), MAX_PAGE)) if page.isdecimal() and page.isascii() else 1


@require_GET
@permission_required(roles.SECURITY_LOG, raise_exception=True)
def security_log(request: HttpRequest) -> HttpResponse:
    """Newest first; `?user=` narrows to one username, `?kind=` to one kind of event. A filter
    that cannot be read is said at its field, and then nothing is listed."""
    form = SecurityLogFilterForm(request.GET)
    events = SecurityEvent.objects.all()
    status = 200
    if form.is_valid():
        username, kind = form.cleaned_data["user"], form.cleaned_data["kind"]
        if username:
            events = events.filter(username=username)
        if kind:
            events = events.filter(kind=kind)
        number = form.cleaned_data["page"]
    else:
        events, number, status = events.none(), 1, 400
    page = Paginator(events, PAGE_SIZE).get_page(number)
    return TemplateResponse(
        request,
        "accounts/security_log.html",
        {"page": page, "form": form, "kinds": SecurityEvent.Kind.choices},
        status=status,
    )
