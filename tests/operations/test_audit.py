"""The audit log: filters, CSV export, detail, retry and reconcile, read-only for everyone."""

from __future__ import annotations

import csv
import io

import pytest

from operations.admin import BatchAdmin, OperationAdmin, OperationAttemptAdmin
from operations.models import Batch, Operation, OperationAttempt, State
from operations.views.audit import neutralise
from tests.operations.support import emails, upstream_writes

pytestmark = pytest.mark.django_db


def test_managers_and_admins_read_the_log_support_does_not(
    natural, submit_invite, admin_client, manager_client, make_user, client
):
    operation = submit_invite()
    for reader in (admin_client, manager_client):
        assert reader.get("/audit/").status_code == 200
        assert reader.get(f"/audit/{operation.pk}/").status_code == 200
    client.force_login(make_user("support"))
    assert client.get("/audit/").status_code == 403
    assert client.get(f"/audit/{operation.pk}/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_filters_by_state_action_and_key_or_id(natural, submit_invite, admin_client):
    succeeded = submit_invite(emails(1, start=10))
    natural.faults.add("error", status=503, count=3, method="POST")
    unknown = submit_invite(emails(1, start=20))
    assert unknown.state == State.UNKNOWN

    page = admin_client.get("/audit/", {"state": "unknown"}).text
    assert str(unknown.key) in page
    assert str(succeeded.key) not in page

    by_id = admin_client.get("/audit/", {"q": succeeded.created_ids[0]}).text
    assert str(succeeded.key) in by_id
    assert str(unknown.key) not in by_id

    by_email = admin_client.get("/audit/", {"q": "person20@"}).text
    assert str(unknown.key) in by_email

    partial = admin_client.get(
        "/audit/",
        {"action": "invite_customers"},
        headers={"HX-Request": "true", "HX-Target": "audit-table"},
    )
    assert "<html" not in partial.text
    assert 'data-table="audit_log"' in partial.text


def test_csv_export_neutralises_formulas(natural, admin, agent_id, admin_client):
    from natural import writes
    from operations import engine

    engine.prepare(
        key="00000000-0000-4000-8000-00000000000a",
        actor=admin,
        action="invite_customers",
        method="POST",
        path='=HYPERLINK("http://evil")',
        body=writes.encode({"data": {}}),
        idempotent=True,
    )
    response = admin_client.get("/audit/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["created_at", "finished_at", "key"]
    assert rows[1][7] == '\'=HYPERLINK("http://evil")'
    assert [neutralise(v) for v in ("+1", "-1", "@a", "ok")] == ["'+1", "'-1", "'@a", "ok"]


def test_detail_shows_payload_attempts_and_created_ids(natural, submit_invite, admin_client):
    natural.faults.add("error", status=503, count=1, method="POST")
    operation = submit_invite(emails(2, start=40))
    page = admin_client.get(f"/audit/{operation.pk}/").text
    assert "person40@example.com" in page
    assert "HTTP 503" in page
    assert "HTTP 201" in page
    for item_id in operation.created_ids:
        assert item_id in page
    assert operation.body_sha256 in page


def test_retry_from_the_page_uses_the_same_key(natural, submit_invite, admin_client):
    natural.faults.add("error", status=503, count=3, method="POST")
    operation = submit_invite()
    page = admin_client.get(f"/audit/{operation.pk}/").text
    assert "Retry with the same key" in page
    assert "Reconcile" in page
    assert "Create again" not in page
    admin_client.post(f"/audit/{operation.pk}/retry/")
    operation.refresh_from_db()
    assert operation.state == State.SUCCEEDED
    keys = {record.idempotency_key for record in upstream_writes(natural)}
    assert keys == {str(operation.key)}


def test_support_cannot_retry_or_reconcile(natural, submit_invite, client, make_user):
    natural.faults.add("error", status=503, count=3, method="POST")
    operation = submit_invite()
    client.force_login(make_user("support"))
    assert client.post(f"/audit/{operation.pk}/retry/").status_code == 403
    assert client.post(f"/audit/{operation.pk}/reconcile/").status_code == 403
    assert len(upstream_writes(natural)) == 3


def test_reconcile_from_the_page(natural, submit_invite, admin_client):
    natural.faults.add("drop_after", count=3, method="POST")
    operation = submit_invite(emails(2, start=60))
    response = admin_client.post(f"/audit/{operation.pk}/reconcile/")
    assert response.status_code == 302
    operation.refresh_from_db()
    assert operation.reconciliation["outcome"] == "found"
    page = admin_client.get(f"/audit/{operation.pk}/").text
    assert "Reconciliation" in page


def test_the_log_has_no_edit_or_delete_anywhere(natural, submit_invite, admin_client, rf, admin):
    submit_invite()
    request = rf.get("/")
    request.user = admin
    from django.contrib.admin import AdminSite

    for admin_class, model in (
        (OperationAdmin, Operation),
        (BatchAdmin, Batch),
        (OperationAttemptAdmin, OperationAttempt),
    ):
        model_admin = admin_class(model, AdminSite())
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
    for path in ("/audit/", f"/audit/{Operation.objects.get().pk}/"):
        page = admin_client.get(path).text
        assert "Delete" not in page
        assert "Edit" not in page
