from django.urls import path

from accounts.sso import views

urlpatterns = [
    path("accounts/sso/login/", views.login, name="openid_connect_login"),
    path("accounts/sso/callback/", views.callback, name="openid_connect_callback"),
]
