from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from dashboard import views

urlpatterns = [
    path("", views.overview, name="home"),
    path(
        "login/",
        login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Fixed paths (/delegations/review/, /customers/search/) come before the detail patterns
    # they resemble.
    path("", include("actions.urls")),
    path("", include("customer_index.urls")),
    path("", include("delegations.urls")),
    path("", include("operations.urls")),
]

handler404 = "dashboard.errors.not_found"
handler500 = "dashboard.errors.server_error"
