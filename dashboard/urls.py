from django.urls import include, path

from dashboard import views

urlpatterns = [
    path("", views.overview, name="home"),
    path("", include("accounts.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Fixed paths (/delegations/review/, /customers/search/) come before the detail patterns
    # they resemble.
    path("", include("operations.urls")),
    path("", include("customer_index.urls")),
    path("", include("saved_views.urls")),
    path("", include("delegations.urls")),
]

handler404 = "dashboard.errors.not_found"
handler500 = "dashboard.errors.server_error"
