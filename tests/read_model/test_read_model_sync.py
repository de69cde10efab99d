"""The sync engine on every resource: full and quick passes, revoked delegations from the lists
Natural documents, removals only after a complete pass, one pass of a kind at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from natural import reads
from natural.errors import NaturalUnavailable
from read_model import query, sync
from read_model.models import (
    IndexedAgentDelegation,
    IndexedAgentInvitation,
    IndexedDelegationInvitation,
    SyncRun,
)
from read_model.resources import RESOURCES
from sandbox.models import Recipient

ADL = "agent_delegations"
ADI = "agent_invitations"


def listed(fetch_page) -> set[str]:
    """Every id a Natural list shows, walked through the API as any client would."""
    ids, cursor = set(), None
    while True:
        page = fetch_page(cursor)
        ids |= {item.id for item in page.items}
        if not page.has_more:
            return ids
        cursor = page.next_cursor


def all_delegation_ids() -> set[str]:
    return listed(
        lambda cursor: reads.list_agent_delegations(include_revoked=True, cursor=cursor, limit=100)
    )


def active_delegation_ids() -> set[str]:
    return listed(lambda cursor: reads.list_agent_delegations(cursor=cursor, limit=100))


def invite(natural, email: str):
    with natural.state.lock:
        agent = next(iter(natural.state.agents))
        [invitation] = natural.state.create_invitations(
            agent,
            [Recipient("email", email)],
            ["payments.read"],
            None,
            natural.clock.now() + timedelta(days=30),
        )
    return invitation


def revoke_one_active(natural) -> str:
    with natural.state.lock:
        adl = next(a for a in natural.state.agent_delegations if not a.is_revoked)
        natural.state.revoke_agent_access(natural.state.agent(adl.agent_id), adl.customer_id)
    return adl.id


def test_full_pass_of_each_list_keeps_every_row_natural_lists(natural):
    for name in RESOURCES:
        run = sync.sync(name, started_by="test")
        assert run.state == SyncRun.State.COMPLETE, run.error

    assert set(IndexedAgentInvitation.objects.values_list("invitation_id", flat=True)) == listed(
        lambda cursor: reads.list_agent_invitations(cursor=cursor, limit=100)
    )
    assert set(
        IndexedDelegationInvitation.objects.values_list("invitation_id", flat=True)
    ) == listed(lambda cursor: reads.list_delegation_invitations(cursor=cursor, limit=100))
    assert set(IndexedAgentDelegation.objects.values_list("agent_delegation_id", flat=True)) == (
        all_delegation_ids()
    )


def test_revoked_delegations_are_those_listed_only_with_include_revoked(natural):
    sync.sync(ADL)

    revoked = set(
        IndexedAgentDelegation.objects.filter(revoked=True).values_list(
            "agent_delegation_id", flat=True
        )
    )
    assert revoked  # the seed has revoked ones
    assert revoked == all_delegation_ids() - active_delegation_ids()


def test_a_revocation_in_natural_shows_after_the_next_full_pass(natural):
    sync.sync(ADL)
    gone = revoke_one_active(natural)

    sync.sync(ADL, mode=sync.QUICK)
    assert not IndexedAgentDelegation.objects.get(agent_delegation_id=gone).revoked

    sync.sync(ADL)
    assert IndexedAgentDelegation.objects.get(agent_delegation_id=gone).revoked


def test_a_quick_pass_brings_in_new_rows_and_removes_nothing(natural):
    sync.sync(ADI)
    stray = IndexedAgentInvitation.objects.order_by("created_at").first()
    stray.invitation_id = "adi_" + "f" * 32
    stray.save()
    new = invite(natural, "newest.person@example.com")

    run = sync.sync(ADI, mode=sync.QUICK)

    assert run.state == SyncRun.State.COMPLETE
    assert run.pages == sync.QUICK_PAGES
    assert IndexedAgentInvitation.objects.get(invitation_id=new.id).email == (
        "newest.person@example.com"
    )
    assert IndexedAgentInvitation.objects.filter(invitation_id="adi_" + "f" * 32).exists()

    sync.sync(ADI)
    assert not IndexedAgentInvitation.objects.filter(invitation_id="adi_" + "f" * 32).exists()


def test_rows_a_quick_pass_saw_during_a_full_pass_survive_its_removals(natural, monkeypatch):
    real = reads.list_agent_invitations
    calls = []

    def down_on_second_page(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise NaturalUnavailable("Natural is unavailable.")
        return real(**kwargs)

    monkeypatch.setattr(reads, "list_agent_invitations", down_on_second_page)
    failed = sync.sync(ADI)
    assert failed.state == SyncRun.State.FAILED
    # Newer than the full pass's saved cursor: its resumed walk will never list this one.
    new = invite(natural, "arrived.midway@example.com")
    assert sync.sync(ADI, mode=sync.QUICK).state == SyncRun.State.COMPLETE

    resumed = sync.sync(ADI)

    assert resumed.pk == failed.pk
    assert resumed.state == SyncRun.State.COMPLETE
    assert IndexedAgentInvitation.objects.filter(invitation_id=new.id).exists()


def test_a_quick_pass_is_never_resumed(natural, monkeypatch):
    real = reads.list_agent_invitations

    def down(**kwargs):
        raise NaturalUnavailable("Natural is unavailable.")

    monkeypatch.setattr(reads, "list_agent_invitations", down)
    failed = sync.sync(ADI, mode=sync.QUICK)
    monkeypatch.setattr(reads, "list_agent_invitations", real)

    fresh = sync.sync(ADI, mode=sync.QUICK)

    assert failed.state == SyncRun.State.FAILED
    assert fresh.pk != failed.pk
    assert fresh.state == SyncRun.State.COMPLETE


def test_one_pass_per_list_and_kind_at_a_time(natural):
    running = sync.claim(resource=ADL, started_by="cron")

    with pytest.raises(sync.SyncAlreadyRunning):
        sync.claim(resource=ADL, started_by="second")
    # Other lists, and a quick pass of the same list, may run meanwhile.
    assert sync.sync(ADI).state == SyncRun.State.COMPLETE
    assert sync.sync(ADL, mode=sync.QUICK).state == SyncRun.State.COMPLETE
    assert sync.run_pass(running).state == SyncRun.State.COMPLETE


def test_the_database_refuses_two_running_passes_of_one_list_and_kind(db):
    now = timezone.now()
    SyncRun.objects.create(resource=ADL, mode="quick", started_at=now, heartbeat_at=now)
    SyncRun.objects.create(resource=ADL, mode="full", started_at=now, heartbeat_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncRun.objects.create(resource=ADL, mode="quick", started_at=now, heartbeat_at=now)


def test_freshness_records_quick_and_full_passes(natural):
    assert query.freshness(ADI).as_of is None

    quick = sync.sync(ADI, mode=sync.QUICK)
    stamp = query.freshness(ADI)
    assert stamp.as_of == quick.finished_at
    assert stamp.complete_as_of is None

    full = sync.sync(ADI)
    stamp = query.freshness(ADI)
    assert stamp.as_of == stamp.complete_as_of == full.finished_at


def test_sync_index_command_brings_every_list_up_to_date(natural, capsys):
    call_command("sync_index")

    out = capsys.readouterr().out
    for name in RESOURCES:
        assert f"{name}: full pass saw" in out
        assert query.freshness(name).complete_as_of is not None


def test_sync_index_command_skips_a_running_list_and_exits_75(natural):
    sync.claim(resource=ADL, mode=sync.QUICK, started_by="cron")

    with pytest.raises(CommandError, match="Already running: agent_delegations") as refused:
        call_command("sync_index", "--quick")

    assert refused.value.returncode == 75
    assert query.freshness(ADI).as_of is not None


def test_sync_index_command_names_an_unknown_list(db):
    with pytest.raises(CommandError, match="Unknown resource payments: choose from customers"):
        call_command("sync_index", "payments")


def test_counts_stand_as_of_the_last_complete_pass(natural):
    sync.sync(ADI)
    before = query.ask(ADI, filters={"status": "PENDING"}).count
    assert before == IndexedAgentInvitation.objects.filter(effective_status="PENDING").count()
    new = invite(natural, "counted.later@example.com")

    assert query.ask(ADI, filters={"status": "PENDING"}).count == before

    sync.sync(ADI, mode=sync.QUICK)
    answer = query.ask(ADI, filters={"status": "PENDING"})
    assert answer.count == before + 1
    assert answer.rows[0].invitation_id == new.id


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database locks whole tables between connections; "
    "a file database (WAL, busy timeout) takes parallel passes",
)
@pytest.mark.django_db(transaction=True)
def test_sync_index_command_can_sync_the_lists_side_by_side(natural, capsys):
    call_command("sync_index", "--jobs", "4")

    out = capsys.readouterr().out
    for name in RESOURCES:
        assert f"{name}: full pass saw" in out
    assert IndexedAgentDelegation.objects.filter(revoked=True).exists()
    assert SyncRun.objects.filter(state=SyncRun.State.COMPLETE).count() == len(RESOURCES)
