"""A CSV of thousands: a summary preview, refused lines listed and downloadable, the list kept
between the preview and the confirm, the limit set by a setting, the parts in pages."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from operations.models import Batch, State
from tests.operations.invite_form import URL, form_data, form_key
from tests.operations.support import invitations_to

pytestmark = pytest.mark.django_db


def crm_export(good: int) -> tuple[bytes, list[str]]:
    emails = [f"crm{n}@example.com" for n in range(good)]
    lines = ["email", *emails[:10], "not-an-email", *emails[10:], "crm3@example.com", "+12"]
    return ("\n".join(lines) + "\n").encode(), emails


def preview_upload(client, agent_id, data: bytes):
    fields = form_data(agent_id, form_key(client.get(URL).text), "")
    upload = SimpleUploadedFile("crm-export.csv", data, content_type="text/csv")
    return fields, client.post(URL, {**fields, "recipients_file": upload, "step": "preview"})


def test_a_big_csv_is_summarised_with_its_refused_lines_and_sent_from_its_draft(
    natural, admin_client, agent_id
):
    data, emails = crm_export(1500)
    fields, preview = preview_upload(admin_client, agent_id, data)
    text = preview.text
    assert preview.status_code == 200
    assert "Emails: 1500" in text
    assert "1 duplicate removed" in text
    assert "2 lines</strong> of crm-export.csv are not a recipient" in text
    assert "CSV line 12:" in text
    assert "15 requests" in text
    assert text.count("crm") < 200, "a summary and the first request, not every line"
    assert 'name="recipients"' not in text.split("Check before sending")[1]

    refused = admin_client.get(f"/invitations/new/{fields['key']}/refused.csv")
    rows = b"".join(refused.streaming_content).decode().splitlines()
    assert rows[0] == "line,reason"
    assert [row.split(",")[0] for row in rows[1:]] == ["12", "1504"]

    digest = re.search(r'name="preview_digest" value="([0-9a-f]+)"', text).group(1)
    confirm = {**fields, "step": "confirm", "preview_digest": digest}
    response = admin_client.post(URL, confirm)
    batch = Batch.objects.get()
    assert response["Location"] == f"/operations/batches/{batch.key}/"
    assert batch.operations.count() == 15
    assert set(batch.operations.values_list("state", flat=True)) == {State.SUCCEEDED}
    assert len(invitations_to(natural, emails)) == 1500

    page = admin_client.get(response["Location"])
    assert "1500</strong> of 1500 invited" in page.text
    assert "Requests 1–15 of 15" in page.text


def test_another_admin_cannot_download_the_refused_lines(
    natural, admin_client, make_user, client, agent_id
):
    fields, _ = preview_upload(admin_client, agent_id, crm_export(20)[0])
    client.force_login(make_user("admin", username="grace"))
    assert client.get(f"/invitations/new/{fields['key']}/refused.csv").status_code == 404


def test_a_file_over_the_limit_is_refused_with_the_limit_and_nothing_is_kept(
    natural, admin_client, agent_id, settings
):
    settings.INVITE_MAX_RECIPIENTS = 1000
    _, preview = preview_upload(admin_client, agent_id, crm_export(1200)[0])
    assert "1,200 recipients: at most 1,000 per batch" in preview.text
    assert "Check before sending" not in preview.text
    assert Batch.objects.count() == 0


def test_back_to_edit_keeps_the_uploaded_list(natural, admin_client, agent_id):
    fields, _ = preview_upload(admin_client, agent_id, crm_export(1500)[0])
    edit = admin_client.post(URL, {**fields, "step": "edit"})
    assert "crm-export.csv: the 1500 recipients of your last preview are kept" in edit.text
    again = admin_client.post(URL, {**fields, "step": "preview"})
    assert "Emails: 1500" in again.text
