"""Long work goes to the workers: a confirm and a Refresh only enqueue, a worker does it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from jobs import schedule
from jobs.models import PeriodicSlot
from operations.models import Batch, BatchState, State
from read_model.models import SyncRun
from tests.operations.invite_form import URL, form_data, form_key, preview_then_confirm
from tests.operations.support import invitations_to, upstream_writes

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE
    settings.TASKS_BACKEND = "database"


def work_the_queue() -> None:
    call_command("run_worker", "--burst", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_confirm_sends_nothing_in_the_request_and_a_worker_sends_the_batch(
    natural, make_user, agent_id, database_queue
):
    client = Client()
    client.force_login(make_user("admin", username="ada"))
    recipients = [f"queued{n}@example.com" for n in range(250)]
    data = form_data(agent_id, form_key(client.get(URL).text), "\n".join(recipients))
    _, confirm = preview_then_confirm(client, data)
    response = client.post(URL, confirm)
    batch = Batch.objects.get()
    assert response.status_code == 302
    assert upstream_writes(natural) == [], "the web request only enqueued"
    page = client.get(response["Location"])
    assert "being sent now" in page.text
    assert "0</strong> of 250 invited" in page.text

    work_the_queue()

    batch.refresh_from_db()
    assert batch.state == BatchState.DONE
    assert set(batch.operations.values_list("state", flat=True)) == {State.SUCCEEDED}
    assert len(invitations_to(natural, recipients)) == 250
    page = client.get(response["Location"])
    assert "250</strong> of 250 invited" in page.text
    assert "being sent now" not in page.text


@pytest.mark.django_db(transaction=True)
def test_a_paused_batch_sends_nothing_until_resumed_and_cancel_keeps_what_was_sent(
    natural, make_user, agent_id, database_queue
):
    client = Client()
    client.force_login(make_user("admin", username="ada"))
    recipients = [f"paused{n}@example.com" for n in range(300)]
    data = form_data(agent_id, form_key(client.get(URL).text), "\n".join(recipients))
    _, confirm = preview_then_confirm(client, data)
    location = client.post(URL, confirm)["Location"]
    client.post(f"{location}pause/")
    work_the_queue()
    assert upstream_writes(natural) == []
    assert "Resume" in client.get(location).text

    client.post(f"{location}resume/")
    client.post(f"{location}cancel/")
    work_the_queue()
    batch = Batch.objects.get()
    assert batch.state == BatchState.CANCELED
    assert set(batch.operations.values_list("state", flat=True)) == {State.CANCELED}
    assert upstream_writes(natural) == []
    assert "300 canceled" in client.get(location).text


@pytest.mark.django_db(transaction=True)
def test_the_refresh_button_queues_its_pass_for_a_worker(natural, make_user, database_queue):
    client = Client()
    client.force_login(make_user("admin", username="ada"))
    natural.clear_request_log()
    client.post("/customers/index/refresh/")
    run = SyncRun.objects.get(resource="customers")
    assert run.state == SyncRun.State.RUNNING
    assert natural.request_log_snapshot() == [], "nothing read in the request"
    work_the_queue()
    run.refresh_from_db()
    assert run.state == SyncRun.State.COMPLETE
    assert run.seen > 0


@pytest.fixture
def queue_kept(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.mark.django_db
def test_each_period_s_job_is_enqueued_once_whatever_the_number_of_workers(settings, queue_kept):
    settings.PERIODIC_PASSES = True
    now = timezone.now()
    first = schedule.tick(worker="one", now=now)
    second = schedule.tick(worker="two", now=now + timedelta(seconds=1))
    assert set(first) == {
        "quick_pass",
        "full_pass",
        "check_revocations",
        "watch_batches",
        "prune_task_results",
    }
    assert second == [] or now.second % 10 == 9, "nothing twice in one period"
    later = schedule.tick(worker="two", now=now + timedelta(minutes=1))
    assert "quick_pass" in later
    assert "full_pass" not in later or now.minute % 15 == 14
    assert "check_revocations" not in later or now.minute % 4 == 3


@pytest.mark.django_db
def test_the_periodic_passes_can_be_turned_off(settings, queue_kept):
    settings.PERIODIC_PASSES = False
    assert schedule.tick(worker="one") == ["watch_batches", "prune_task_results"]
    assert not PeriodicSlot.objects.filter(name__endswith="_pass").exists()
