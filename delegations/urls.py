from __future__ import annotations

from django.urls import path

from delegations.views import (
    agent_delegations,
    customers,
    export,
    invitations,
    lookup,
    requests,
)

urlpatterns = [
    path("invitations/", invitations.invitation_list, name="invitation-list"),
    path("invitations/export.csv", export.invitation_export, name="invitation-export"),
    path(
        "invitations/delegation/",
        invitations.delegation_invitation_list,
        name="delegation-invitation-list",
    ),
    path(
        "invitations/delegation/export.csv",
        export.delegation_invitation_export,
        name="delegation-invitation-export",
    ),
    path("customers/", customers.customer_list, name="customer-list"),
    path("customers/export.csv", export.customer_export, name="customer-export"),
    path("customers/<str:pty_id>/", customers.customer_detail, name="customer-detail"),
    path("delegations/", agent_delegations.delegation_list, name="delegation-list"),
    path("delegations/export.csv", export.delegation_export, name="delegation-export"),
    path(
        "delegations/<str:adl_id>/", agent_delegations.delegation_detail, name="delegation-detail"
    ),
    path("lookup/", lookup.lookup, name="lookup"),
    path("natural-requests/", requests.natural_requests, name="natural-requests"),
]
