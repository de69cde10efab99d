from allauth.account import views as account_views
from allauth.socialaccount import views as social_views
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import code_views, views
from accounts.sso import views as sso_views

logout = auth_views.LogoutView.as_view()

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("login/", views.sign_in, name="account_login"),
    path("logout/", logout, name="logout"),
    path("logout/", logout, name="account_logout"),
    path("security/", views.security_log, name="security_log"),
    path("security/export.csv", views.security_log_export, name="security-log-export"),
    path("accounts/inactive/", account_views.account_inactive, name="account_inactive"),
    path("accounts/reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    # allauth's code pages, with the limits on guessing codes (accounts/code_limits.py).
    path("accounts/2fa/authenticate/", code_views.authenticate, name="mfa_authenticate"),
    path("accounts/2fa/reauthenticate/", code_views.reauthenticate, name="mfa_reauthenticate"),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path(
        "accounts/sso/cancelled/",
        social_views.login_cancelled,
        name="socialaccount_login_cancelled",
    ),
    path("accounts/sso/error/", social_views.login_error, name="socialaccount_login_error"),
    path("accounts/sso/signup/", sso_views.signup_not_offered, name="socialaccount_signup"),
    path("", include("accounts.sso.urls")),
]
