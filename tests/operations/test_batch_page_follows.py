"""The batch page follows a big batch by its progress: what reads itself again every few seconds
is the progress (the bar, the counts, the state) and the parts, not the 2,000 recipients the page
lists, and once the batch is done the whole result is read once more, with each recipient's
outcome, and the page stops reading."""

from __future__ import annotations

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from tests.operations.invite_form import URL, form_data, form_key

RECIPIENTS = 2500
# The page lists the recipients of its first 20 requests: 2,000 rows.
LISTED = 2000


def confirmed_batch(client, agent_id, emails) -> str:
    """The batch page's address, after an upload, its preview and its confirmation."""
    fields = form_data(agent_id, form_key(client.get(URL).text), "")
    upload = SimpleUploadedFile("follow.csv", "\n".join(emails).encode(), content_type="text/csv")
    preview = client.post(URL, {**fields, "recipients_file": upload, "step": "preview"}).text
    digest = re.search(r'name="preview_digest" value="([0-9a-f]+)"', preview).group(1)
    return client.post(URL, {**fields, "step": "confirm", "preview_digest": digest})["Location"]


def poll(client, page: str):
    """What htmx sends from the element that reads the page again, or None if none does."""
    reader = re.search(r'<[^>]*\bhx-trigger="every [^"]+"[^>]*>', page)
    if reader is None:
        return None
    element = reader.group(0)
    target = re.search(r'\bid="([^"]+)"', element).group(1)
    assert 'hx-target="this"' in element
    url = html.unescape(re.search(r'\bhx-get="([^"]+)"', element).group(1))
    answer = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=target)
    return target, answer


@pytest.mark.django_db(transaction=True)
def test_the_page_follows_a_big_batch_by_its_progress_and_reads_the_result_once_done(
    natural, make_user, agent_id, settings
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.TASKS_BACKEND = "database"
    client = Client()
    client.force_login(make_user("admin", username="ada"))
    emails = [f"follow{n}@example.com" for n in range(RECIPIENTS)]
    location = confirmed_batch(client, agent_id, emails)
    page = client.get(location).text
    assert sum(email in page for email in emails[:LISTED]) == LISTED

    target, answer = poll(client, page)
    assert answer.status_code == 200
    assert f"0</strong> of {RECIPIENTS} invited" in answer.text
    assert 'class="batch-bar"' in answer.text
    assert "Requests 1–20 of 25" in answer.text
    listed = [email for email in emails[:LISTED] if email in answer.text]
    assert listed == [], f"every poll carries {len(listed):,} recipients again"

    call_command("run_worker", "--burst", verbosity=0)
    target, answer = poll(client, page)
    # Done: the whole result, read once, replaces the region; nothing in it reads again.
    assert answer.get("HX-Retarget", f"#{target}") == "#batch-result"
    assert f"{RECIPIENTS}</strong> of {RECIPIENTS} invited" in answer.text
    assert all(email in answer.text for email in emails[:LISTED])
    assert answer.text.count('<span class="badge badge-succeeded">invited</span>') == LISTED
    assert poll(client, answer.text) is None
