from django.urls import path

from customer_index import views

urlpatterns = [
    path("customers/search/", views.customer_search, name="customer-search"),
    path("customers/index/", views.index_status, name="customer-index-status"),
    path("customers/index/refresh/", views.index_refresh, name="customer-index-refresh"),
    path(
        "index/agent-invitations/refresh/",
        views.quick_refresh,
        {"resource": "agent_invitations"},
        name="agent-invitation-index-refresh",
    ),
    path(
        "index/delegation-invitations/refresh/",
        views.quick_refresh,
        {"resource": "delegation_invitations"},
        name="delegation-invitation-index-refresh",
    ),
    path(
        "index/agent-delegations/refresh/",
        views.quick_refresh,
        {"resource": "agent_delegations"},
        name="agent-delegation-index-refresh",
    ),
]
