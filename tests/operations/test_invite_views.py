"""The invite form: preview, confirm, double submits, Natural's refusals, big batches, roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from operations.models import Batch, Operation, State
from tests.operations.invite_form import URL, form_data, form_key, preview_then_confirm
from tests.operations.support import invitations_to, upstream_writes

pytestmark = pytest.mark.django_db


def test_the_form_is_born_with_a_key(natural, admin_client):
    page = admin_client.get(URL)
    assert page.status_code == 200
    key = form_key(page.text)
    assert key != form_key(admin_client.get(URL).text)
    assert "payments.create" in page.text
    assert "wallets.read" in page.text


def test_preview_counts_by_type_and_sends_nothing(natural, admin_client, agent_id):
    page = admin_client.get(URL)
    data = form_data(agent_id, form_key(page.text), "a@example.com, A@example.com\n+14155550123")
    preview = admin_client.post(URL, {**data, "step": "preview"})
    assert preview.status_code == 200
    assert "Emails: 1" in preview.text
    assert "Phones: 1" in preview.text
    assert "1 duplicate removed" in preview.text
    assert "$250.50" in preview.text
    assert upstream_writes(natural) == []
    assert Operation.objects.count() == 0


def test_double_submit_makes_one_operation_and_one_call(natural, admin_client, agent_id):
    data = form_data(agent_id, form_key(admin_client.get(URL).text))
    _, confirm = preview_then_confirm(admin_client, data)
    first = admin_client.post(URL, confirm)
    second = admin_client.post(URL, confirm)
    batch = Batch.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/operations/batches/{batch.key}/"
    assert Operation.objects.count() == 1
    assert len(upstream_writes(natural)) == 1
    assert len(invitations_to(natural, ["a@example.com", "+14155550123"])) == 2

    result = admin_client.get(first["Location"])
    assert result.status_code == 200
    assert "2</strong> of 2 invited" in result.text
    for operation in Operation.objects.all():
        for item_id in operation.created_ids:
            assert item_id in result.text


def test_a_reload_of_the_preview_confirm_never_sends_again(natural, admin_client, agent_id):
    data = form_data(agent_id, form_key(admin_client.get(URL).text))
    _, confirm = preview_then_confirm(admin_client, data)
    admin_client.post(URL, confirm)
    again = admin_client.post(URL, {**data, "step": "preview"})
    assert again.status_code == 409
    assert "This form was already sent" in again.text
    assert len(upstream_writes(natural)) == 1


def test_confirm_without_the_previewed_digest_shows_the_preview_again(
    natural, admin_client, agent_id
):
    data = form_data(agent_id, form_key(admin_client.get(URL).text))
    _, confirm = preview_then_confirm(admin_client, data)
    confirm["per_transaction"] = "999.00"
    response = admin_client.post(URL, confirm)
    assert response.status_code == 200
    assert "changed since the preview" in response.text
    assert upstream_writes(natural) == []


def test_invalid_input_keeps_values_and_names_each_line(natural, admin_client, agent_id):
    key = form_key(admin_client.get(URL).text)
    data = form_data(
        agent_id,
        key,
        "good@example.com\nbob@\n4155550123\npty_12\nbob smith",
        per_transaction="-5",
        expires_on=(timezone.now().date() - timedelta(days=1)).isoformat(),
    )
    response = admin_client.post(URL, {**data, "step": "preview"})
    assert response.status_code == 200
    text = response.text
    assert "Line 2: &quot;bob@&quot; is not a valid email address." in text
    assert "Line 3: &quot;4155550123&quot; is not a phone number in E.164 form" in text
    assert "Line 4: &quot;pty_12&quot; is not a party id" in text
    assert "Line 5: &quot;bob smith&quot; is not an email address" in text
    assert "Enter a positive amount in dollars." in text
    assert "Choose a date in the future." in text
    assert "good@example.com\nbob@" in text
    assert 'value="-5"' in text
    assert form_key(text) == key
    assert upstream_writes(natural) == []
    assert Operation.objects.count() == 0


def test_a_422_from_natural_lands_on_the_field_with_a_new_key(natural, admin_client, agent_id):
    key = form_key(admin_client.get(URL).text)
    unknown_party = "pty_" + "0" * 32
    data = form_data(agent_id, key, f"ok@example.com\n{unknown_party}")
    _, confirm = preview_then_confirm(admin_client, data)
    response = admin_client.post(URL, confirm)
    assert response.status_code == 200
    operation = Operation.objects.get()
    assert operation.state == State.FAILED
    assert f"Line 2: &quot;{unknown_party}&quot;: Party {unknown_party} does not exist" in (
        response.text
    )
    new_key = form_key(response.text)
    assert new_key != key
    assert "ok@example.com" in response.text
    assert len(upstream_writes(natural)) == 1


def test_a_thousand_recipients_make_ten_operations_and_one_result_page(
    natural, admin_client, agent_id
):
    recipients = [f"bulk{n}@example.com" for n in range(1000)]
    data = form_data(agent_id, form_key(admin_client.get(URL).text), "\n".join(recipients))
    preview, confirm = preview_then_confirm(admin_client, data)
    assert "10 requests" in preview.text
    response = admin_client.post(URL, confirm)
    batch = Batch.objects.get()
    assert response["Location"] == f"/operations/batches/{batch.key}/"
    assert batch.operations.count() == 10
    assert set(batch.operations.values_list("state", flat=True)) == {State.SUCCEEDED}
    assert len({op.key for op in batch.operations.all()}) == 10
    assert len(upstream_writes(natural)) == 10
    assert len(invitations_to(natural, recipients)) == 1000
    page = admin_client.get(response["Location"])
    assert "1000</strong> of 1000 invited" in page.text
    assert page.text.count("bulk") >= 1000


def test_more_than_the_limit_is_refused_and_the_list_is_kept(
    natural, admin_client, agent_id, settings
):
    settings.INVITE_MAX_RECIPIENTS = 1000
    recipients = "\n".join(f"many{n}@example.com" for n in range(1001))
    data = form_data(agent_id, form_key(admin_client.get(URL).text), recipients)
    response = admin_client.post(URL, {**data, "step": "preview"})
    assert "1,001 recipients: at most 1,000 per batch" in response.text
    assert "many1000@example.com" in response.text
    assert Operation.objects.count() == 0


def test_email_failures_show_on_the_result_page(natural, admin_client, agent_id):
    from sandbox.names import BOUNCING_DOMAIN

    bouncing = f"nobody@{BOUNCING_DOMAIN}"
    data = form_data(agent_id, form_key(admin_client.get(URL).text), bouncing)
    _, confirm = preview_then_confirm(admin_client, data)
    location = admin_client.post(URL, confirm)["Location"]
    page = admin_client.get(location).text
    assert "email failed: mailbox_unavailable" in page


def test_parts_whose_senders_were_lost_are_sent_by_the_watch(
    natural, admin_client, agent_id, monkeypatch
):
    from operations import batches
    from operations.models import Batch

    data = form_data(agent_id, form_key(admin_client.get(URL).text))
    _, confirm = preview_then_confirm(admin_client, data)
    monkeypatch.setattr(batches, "start", lambda batch: batch)  # its tasks were lost
    admin_client.post(URL, confirm)
    monkeypatch.undo()
    batch = Batch.objects.get()
    page = admin_client.get(f"/operations/batches/{batch.key}/")
    assert "1 part not sent yet" in page.text
    assert upstream_writes(natural) == []
    assert batches.watch(now=timezone.now()) == [], "not before the sending lease has passed"
    assert batches.watch(now=timezone.now() + timedelta(minutes=1)) == [batch.pk]
    assert batch.operations.get().state == State.SUCCEEDED
    assert len(upstream_writes(natural)) == 1
    page = admin_client.get(f"/operations/batches/{batch.key}/")
    assert "2</strong> of 2 invited" in page.text


@pytest.mark.parametrize("role", ["manager", "support"])
def test_only_admins_create(natural, client, make_user, role, agent_id):
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 403
    data = form_data(agent_id, "00000000-0000-4000-8000-000000000001")
    response = client.post(URL, {**data, "step": "confirm"})
    assert response.status_code == 403
    assert Operation.objects.count() == 0
    assert natural.request_log_snapshot() == []
