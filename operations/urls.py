"""Every write page. Included before `delegations.urls`, so fixed paths (`/invitations/new/`,
`/delegations/review/`, `/delegations/bulk-revoke/`) are not taken for ids."""

from django.urls import path

from operations.views import audit, cancel, delegation, invite, review, revoke

urlpatterns = [
    path("delegations/review/", review.review_queue, name="delegation-review"),
    path(
        "delegations/review/refresh/",
        review.review_queue_refresh,
        name="delegation-review-refresh",
    ),
    path(
        "delegations/bulk-revoke/confirm/",
        revoke.bulk_revoke_confirm,
        name="delegation-bulk-revoke-confirm",
    ),
    path("delegations/bulk-revoke/", revoke.bulk_revoke, name="delegation-bulk-revoke"),
    path(
        "delegations/bulk-revoke/<uuid:key>/",
        revoke.bulk_revoke_result,
        name="delegation-bulk-revoke-result",
    ),
    path(
        "delegations/bulk-revoke/<uuid:key>/send/",
        revoke.bulk_revoke_send,
        name="delegation-bulk-revoke-send",
    ),
    path(
        "delegations/<str:adl_id>/revoke/confirm/",
        revoke.revoke_confirm,
        name="delegation-revoke-confirm",
    ),
    path("delegations/<str:adl_id>/revoke/", revoke.revoke, name="delegation-revoke"),
    path("delegations/<str:adl_id>/review/", review.review_mark, name="delegation-review-mark"),
    path(
        "invitations/cancel/confirm/",
        cancel.bulk_cancel_confirm,
        name="invitation-bulk-cancel-confirm",
    ),
    path("invitations/cancel/", cancel.bulk_cancel, name="invitation-bulk-cancel"),
    path(
        "invitations/cancel/<uuid:key>/",
        cancel.bulk_cancel_result,
        name="invitation-bulk-cancel-result",
    ),
    path(
        "invitations/cancel/<uuid:key>/reconcile/",
        cancel.bulk_cancel_reconcile,
        name="invitation-bulk-cancel-reconcile",
    ),
    path(
        "invitations/<str:adi_id>/cancel/confirm/",
        cancel.cancel_confirm,
        name="invitation-cancel-confirm",
    ),
    path("invitations/<str:adi_id>/cancel/", cancel.cancel, name="invitation-cancel"),
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
