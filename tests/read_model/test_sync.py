"""The sync against the sandbox: adds, updates, removes, resumes, and runs alone."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from natural import reads
from natural.errors import NaturalUnavailable
from read_model import sync
from read_model.models import IndexedCustomer, SyncRun, fold
from sandbox.models import Customer, Delegation, Party


def sandbox_ids(natural) -> set[str]:
    return {customer.party.id for customer in natural.state.customers}


def stray_entry(run: SyncRun, party_id: str = "pty_" + "f" * 32) -> IndexedCustomer:
    """An entry an older pass saw, which Natural no longer lists."""
    return IndexedCustomer.objects.create(
        party_id=party_id,
        name="Gone Customer",
        name_folded="gone customer",
        last_seen_run=run,
        last_seen_at=run.started_at,
    )


def old_run() -> SyncRun:
    then = timezone.now() - timedelta(days=1)
    return SyncRun.objects.create(
        state=SyncRun.State.COMPLETE, started_at=then, heartbeat_at=then, finished_at=then
    )


def add_sandbox_customer(natural, name: str, email: str) -> str:
    now = natural.clock.now()
    party_id = "pty_" + "a" * 32
    party = Party(id=party_id, name=name, email=email, created_at=now)
    delegation = Delegation(
        id="dlg_" + "a" * 32, customer_id=party_id, permissions=[], status="ACTIVE", created_at=now
    )
    with natural.state.lock:
        natural.state.add_customer(Customer(party=party, delegation=delegation))
    return party_id


def fail_on_call(monkeypatch, number: int, error: BaseException):
    real = reads.list_customers
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == number:
            raise error
        return real(**kwargs)

    monkeypatch.setattr(reads, "list_customers", flaky)
    return calls


def test_full_pass_indexes_every_customer(natural):
    run = sync.sync_customers(started_by="test")

    expected = sandbox_ids(natural)
    assert run.state == SyncRun.State.COMPLETE
    assert set(IndexedCustomer.objects.values_list("party_id", flat=True)) == expected
    assert run.seen == len(expected)
    assert run.pages == math.ceil(len(expected) / sync.PAGE_LIMIT)
    customers_calls = [r for r in natural.request_log_snapshot() if r.path == "/customers"]
    assert customers_calls
    assert all("limit=100" in r.query for r in customers_calls)


def test_stores_delegation_and_agents_with_limits(natural):
    sync.sync_customers()

    with_agents = IndexedCustomer.objects.exclude(agents=[]).first()
    customer = natural.state.customers.get(with_agents.party_id)
    assert with_agents.delegation_id == customer.delegation.id
    assert with_agents.delegation_status == customer.delegation.status
    agent = with_agents.agents[0]
    assert agent["name"] in with_agents.agent_names
    assert set(agent) == {"id", "name", "status", "permissions", "per_transaction_cents"}
    assert with_agents.agent_names_folded == fold(with_agents.agent_names)


def test_second_pass_adds_updates_and_removes(natural):
    sync.sync_customers()
    stray_entry(old_run())
    changed = next(iter(natural.state.customers))
    with natural.state.lock:
        changed.party.name = "Renamed Customer"
    added = add_sandbox_customer(natural, "Brand New Customer", "new@example.com")

    run = sync.sync_customers()

    assert run.state == SyncRun.State.COMPLETE
    assert run.removed == 1
    assert not IndexedCustomer.objects.filter(name="Gone Customer").exists()
    assert IndexedCustomer.objects.get(party_id=changed.party.id).name == "Renamed Customer"
    assert IndexedCustomer.objects.get(party_id=added).email == "new@example.com"
    assert IndexedCustomer.objects.count() == len(natural.state.customers)


def test_failed_pass_keeps_finished_pages_removes_nothing_and_resumes(natural, monkeypatch):
    stray_entry(old_run())
    calls = fail_on_call(monkeypatch, 2, NaturalUnavailable("Natural is unavailable."))

    failed = sync.sync_customers()

    assert failed.state == SyncRun.State.FAILED
    assert failed.pages == 1
    assert failed.cursor
    assert "unavailable" in failed.error
    assert IndexedCustomer.objects.filter(last_seen_run=failed).count() == sync.PAGE_LIMIT
    assert IndexedCustomer.objects.filter(name="Gone Customer").exists()

    resumed = sync.sync_customers()

    assert resumed.pk == failed.pk
    assert resumed.state == SyncRun.State.COMPLETE
    assert calls[2]["cursor"] == failed.cursor  # picked up where it stopped
    assert not IndexedCustomer.objects.filter(name="Gone Customer").exists()
    assert IndexedCustomer.objects.count() == len(natural.state.customers)


def test_interrupted_pass_is_marked_and_resumed(natural, monkeypatch):
    fail_on_call(monkeypatch, 2, KeyboardInterrupt())

    with pytest.raises(KeyboardInterrupt):
        sync.sync_customers()

    interrupted = SyncRun.objects.get()
    assert interrupted.state == SyncRun.State.INTERRUPTED
    assert interrupted.pages == 1

    resumed = sync.sync_customers()
    assert resumed.pk == interrupted.pk
    assert resumed.state == SyncRun.State.COMPLETE
    assert resumed.seen == len(natural.state.customers)


def test_an_interruption_mid_page_keeps_nothing_of_that_page(natural, monkeypatch):
    real = sync.upsert

    def explode(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(sync, "upsert", explode)
    with pytest.raises(KeyboardInterrupt):
        sync.sync_customers()

    assert IndexedCustomer.objects.count() == 0
    assert SyncRun.objects.get().pages == 0


def test_a_second_sync_is_refused_while_one_runs(natural):
    running = sync.claim(started_by="first")

    with pytest.raises(sync.SyncAlreadyRunning) as refused:
        sync.sync_customers(started_by="second")

    assert refused.value.run.pk == running.pk
    assert SyncRun.objects.filter(state=SyncRun.State.RUNNING).count() == 1


def test_the_database_refuses_two_running_rows(db):
    now = timezone.now()
    SyncRun.objects.create(started_at=now, heartbeat_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncRun.objects.create(started_at=now, heartbeat_at=now)


def test_a_dead_pass_is_taken_over_and_its_worker_stops(natural):
    dead = sync.claim(started_by="crashed worker")
    SyncRun.objects.filter(pk=dead.pk).update(
        heartbeat_at=timezone.now() - sync.STALE_AFTER - timedelta(seconds=1)
    )

    taken = sync.sync_customers(started_by="new worker")

    assert taken.pk == dead.pk
    assert taken.state == SyncRun.State.COMPLETE
    with pytest.raises(sync.SyncLost):
        sync.run_pass(dead)  # the old owner wakes up: it may not write


def test_an_old_unfinished_pass_is_not_resumed(natural, monkeypatch):
    fail_on_call(monkeypatch, 2, NaturalUnavailable("down"))
    failed = sync.sync_customers()
    SyncRun.objects.filter(pk=failed.pk).update(
        started_at=timezone.now() - sync.RESUME_WITHIN - timedelta(minutes=1)
    )
    monkeypatch.undo()

    fresh = sync.sync_customers()

    assert fresh.pk != failed.pk
    assert fresh.state == SyncRun.State.COMPLETE
