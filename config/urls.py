"""Every page's address, one group per object. Within a group the fixed paths come first and
the `<id>` routes last, so `/delegations/review/` is never taken for a delegation's id."""

from django.urls import include, path

from browse.views import (
    agent_delegations,
    customers,
    export,
    health,
    invitations,
    lookup,
    overview,
    requests,
    search,
    webhooks,
)
from operations.views import audit, cancel, delegation, invite, review, revoke
from saved_views import views as saved_views

customer_urls = [
    path("", customers.customer_list, name="customer-list"),
    path("export.csv", export.customer_export, name="customer-export"),
    path("search/", search.customer_search, name="customer-search"),
    path("index/", search.index_status, name="customer-index-status"),
    path("index/refresh/", search.index_refresh, name="customer-index-refresh"),
    path("<str:pty_id>/", customers.customer_detail, name="customer-detail"),
]

invitation_urls = [
    path("", invitations.invitation_list, name="invitation-list"),
    path("export.csv", export.invitation_export, name="invitation-export"),
    path("new/", invite.invite_customers, name="invitation-new"),
    path("new/<uuid:key>/refused.csv", invite.refused_lines, name="invitation-refused-lines"),
    path("delegation/", invitations.delegation_invitation_list, name="delegation-invitation-list"),
    path(
        "delegation/export.csv",
        export.delegation_invitation_export,
        name="delegation-invitation-export",
    ),
    path("cancel/confirm/", cancel.bulk_cancel_confirm, name="invitation-bulk-cancel-confirm"),
    path("cancel/", cancel.bulk_cancel, name="invitation-bulk-cancel"),
    path("cancel/<uuid:key>/", cancel.bulk_cancel_result, name="invitation-bulk-cancel-result"),
    path(
        "cancel/<uuid:key>/reconcile/",
        cancel.bulk_cancel_reconcile,
        name="invitation-bulk-cancel-reconcile",
    ),
    path("<str:adi_id>/cancel/confirm/", cancel.cancel_confirm, name="invitation-cancel-confirm"),
    path("<str:adi_id>/cancel/", cancel.cancel, name="invitation-cancel"),
]

delegation_urls = [
    path("", agent_delegations.delegation_list, name="delegation-list"),
    path("export.csv", export.delegation_export, name="delegation-export"),
    path("review/", review.review_queue, name="delegation-review"),
    path("review/export.csv", review.review_queue_export, name="delegation-review-export"),
    path("review/refresh/", review.review_queue_refresh, name="delegation-review-refresh"),
    path("review/marks/", review.review_marks, name="delegation-review-marks"),
    path("review/marks/undo/", review.review_undo, name="delegation-review-undo"),
    path(
        "bulk-revoke/confirm/",
        revoke.bulk_revoke_confirm,
        name="delegation-bulk-revoke-confirm",
    ),
    path("bulk-revoke/", revoke.bulk_revoke, name="delegation-bulk-revoke"),
    path(
        "bulk-revoke/<uuid:key>/", revoke.bulk_revoke_result, name="delegation-bulk-revoke-result"
    ),
    path(
        "bulk-revoke/<uuid:key>/send/",
        revoke.bulk_revoke_send,
        name="delegation-bulk-revoke-send",
    ),
    path("<str:adl_id>/", agent_delegations.delegation_detail, name="delegation-detail"),
    path("<str:adl_id>/revoke/confirm/", revoke.revoke_confirm, name="delegation-revoke-confirm"),
    path("<str:adl_id>/revoke/", revoke.revoke, name="delegation-revoke"),
    path("<str:adl_id>/review/", review.review_mark, name="delegation-review-mark"),
]

# A quick pass of one list of the read model, from its table's Refresh button.
index_urls = [
    path(
        f"{slug}/refresh/",
        search.quick_refresh,
        {"resource": resource},
        name=f"{name}-index-refresh",
    )
    for slug, resource, name in (
        ("agent-invitations", "agent_invitations", "agent-invitation"),
        ("delegation-invitations", "delegation_invitations", "delegation-invitation"),
        ("agent-delegations", "agent_delegations", "agent-delegation"),
    )
]

audit_urls = [
    path("", audit.audit_list, name="audit-list"),
    path("export.csv", audit.audit_export, name="audit-export"),
    path("entries/export.csv", audit.audit_entries_export, name="audit-entries-export"),
    path("<int:pk>/", audit.operation_detail, name="operation-detail"),
    path("<int:pk>/retry/", audit.operation_retry, name="operation-retry"),
    path("<int:pk>/reconcile/", audit.operation_reconcile, name="operation-reconcile"),
]

batch_urls = [
    path("", invite.batch_detail, name="batch-detail"),
    path("send-remaining/", invite.batch_send_remaining, name="batch-send-remaining"),
    path("pause/", invite.batch_control, {"action": "pause"}, name="batch-pause"),
    path("resume/", invite.batch_control, {"action": "resume"}, name="batch-resume"),
    path("cancel/", invite.batch_control, {"action": "cancel"}, name="batch-cancel"),
]

saved_view_urls = [
    path("", saved_views.view_list, name="saved-view-list"),
    path("export.csv", saved_views.view_export, name="saved-view-export"),
    path("columns/", saved_views.choose_columns, name="saved-view-columns"),
    path("save/", saved_views.save_view, name="saved-view-save"),
    path("open/", saved_views.open_view, name="saved-view-open"),
    path("<int:pk>/rename/", saved_views.rename_view, name="saved-view-rename"),
    path("<int:pk>/delete/", saved_views.delete_view, name="saved-view-delete"),
]

urlpatterns = [
    path("", overview.overview, name="home"),
    path("overview/<str:name>.csv", overview.chart_csv, name="overview-chart-csv"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("accounts.urls")),
    path("customers/", include(customer_urls)),
    path("invitations/", include(invitation_urls)),
    path(
        "delegation-invitations/new/",
        delegation.new_delegation_invitation,
        name="delegation-invitation-new",
    ),
    path("delegations/", include(delegation_urls)),
    path("index/", include(index_urls)),
    path("lookup/", lookup.lookup, name="lookup"),
    path("natural-requests/", requests.natural_requests, name="natural-requests"),
    path("webhooks/", webhooks.webhook_log_page, name="webhook-log"),
    path("webhooks/natural/", webhooks.natural_webhook, name="natural-webhook"),
    path(
        "natural-requests/export.csv",
        requests.natural_requests_export,
        name="natural-requests-export",
    ),
    path("audit/", include(audit_urls)),
    path("operations/batches/<uuid:key>/", include(batch_urls)),
    path("views/", include(saved_view_urls)),
]

handler404 = "dashboard.errors.not_found"
handler500 = "dashboard.errors.server_error"
