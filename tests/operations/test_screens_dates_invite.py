"""The batch page and the invite preview show dates the way every other page does."""

from __future__ import annotations

from operations.models import Batch
from tests.operations.invite_form import URL, form_data, form_key, preview_then_confirm
from tests.screens.moments import assert_one_date_format


def test_batch_page_dates_are_relative_with_the_exact_time_on_hover(
    natural, admin_client, agent_id
):
    data = form_data(agent_id, form_key(admin_client.get(URL).text))
    preview = admin_client.post(URL, {**data, "step": "preview"})
    assert assert_one_date_format(preview.text) > 0
    _, confirm = preview_then_confirm(admin_client, data)
    admin_client.post(URL, confirm)
    batch = Batch.objects.get()
    page = admin_client.get(f"/operations/batches/{batch.key}/")
    assert assert_one_date_format(page.text) > 0
