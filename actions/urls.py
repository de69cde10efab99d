"""Manager actions. Included before `delegations.urls`, so `/delegations/review/` and
`/delegations/bulk-revoke/` are not taken for delegation ids."""

from __future__ import annotations

from django.urls import path

from actions.views import cancel, review, revoke

urlpatterns = [
    path("delegations/review/", review.review_queue, name="delegation-review"),
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
]
