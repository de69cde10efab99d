from django.urls import path

from operations.views import audit, delegation, invite

urlpatterns = [
    path("invitations/new/", invite.invite_customers, name="invitation-new"),
    path(
        "delegation-invitations/new/",
        delegation.new_delegation_invitation,
        name="delegation-invitation-new",
    ),
    path("operations/batches/<uuid:key>/", invite.batch_detail, name="batch-detail"),
    path(
        "operations/batches/<uuid:key>/send-remaining/",
        invite.batch_send_remaining,
        name="batch-send-remaining",
    ),
    path("audit/", audit.audit_list, name="audit-list"),
    path("audit/export.csv", audit.audit_export, name="audit-export"),
    path("audit/<int:pk>/", audit.operation_detail, name="operation-detail"),
    path("audit/<int:pk>/retry/", audit.operation_retry, name="operation-retry"),
    path("audit/<int:pk>/reconcile/", audit.operation_reconcile, name="operation-reconcile"),
]
