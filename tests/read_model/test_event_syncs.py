"""Each webhook event refreshes only what it names, and the revocation check finds revocations
without a full pass."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from natural.models import WebhookDelivery
from read_model import events, sync, tasks
from read_model.models import (
    IndexedAgentDelegation,
    IndexedAgentInvitation,
    IndexedCustomer,
    SyncRun,
)
from sandbox.models import Recipient

ADL = "agent_delegations"


@pytest.fixture
def finished_run(db) -> SyncRun:
    now = timezone.now()
    return SyncRun.objects.create(
        state=SyncRun.State.COMPLETE, started_at=now, heartbeat_at=now, finished_at=now
    )


def revoke_one_active(natural):
    with natural.state.lock:
        adl = next(a for a in natural.state.agent_delegations if not a.is_revoked)
        natural.state.revoke_agent_access(natural.state.agent(adl.agent_id), adl.customer_id)
    return adl


def calls(natural) -> list[str]:
    return [f"{r.method} {r.path}" for r in natural.request_log_snapshot()]


def test_a_party_event_revokes_that_delegation_at_once_reading_only_that_party(natural):
    sync.sync(ADL)
    adl = revoke_one_active(natural)
    natural.clear_request_log()

    outcome = events.apply("party.updated", "party", adl.customer_id)

    assert outcome.state == "processed"
    assert IndexedAgentDelegation.objects.get(agent_delegation_id=adl.id).revoked
    # Only that party was read: its customer, its two delegation lists, its invitations.
    assert calls(natural)[0] == f"GET /customers/{adl.customer_id}"
    assert calls(natural).count("GET /agent-delegations") == 2
    assert len(calls(natural)) <= 5
    queries = [r.query for r in natural.request_log_snapshot() if r.path == "/agent-delegations"]
    assert all(adl.customer_id in q for q in queries)
    # The party's other delegations are still active.
    others = IndexedAgentDelegation.objects.filter(customer_party_id=adl.customer_id).exclude(
        agent_delegation_id=adl.id
    )
    assert not others.filter(revoked=True).exclude(
        agent_delegation_id__in=[
            a.id
            for a in natural.state.agent_delegations
            if a.is_revoked and a.customer_id == adl.customer_id
        ]
    )


def test_a_delegation_granted_brings_the_new_customer_delegation_and_invitation(natural):
    with natural.state.lock:
        agent = next(iter(natural.state.agents))
        [invitation] = natural.state.create_invitations(
            agent,
            [Recipient("email", "new.person@example.com")],
            ["payments.read"],
            None,
            natural.clock.now() + timedelta(days=30),
        )
        adl = natural.state.accept_invitation(invitation)

    events.apply("party.delegation_granted", "party", adl.customer_id)

    customer = IndexedCustomer.objects.get(party_id=adl.customer_id)
    assert customer.email == "new.person@example.com"
    row = IndexedAgentDelegation.objects.get(agent_delegation_id=adl.id)
    assert (row.revoked, row.listed_active_by is not None) == (False, True)
    accepted = IndexedAgentInvitation.objects.get(invitation_id=invitation.id)
    assert accepted.status == "ACCEPTED"


def test_an_event_row_survives_a_full_pass_that_began_before_it(natural):
    """The full pass started, then a customer appeared and its event was applied; the pass,
    which never saw the new customer, must not remove it when it completes."""
    run = sync.claim(resource="customers")
    with natural.state.lock:
        agent = next(iter(natural.state.agents))
        [invitation] = natural.state.create_invitations(
            agent,
            [Recipient("email", "late@example.com")],
            [],
            None,
            natural.clock.now() + timedelta(days=30),
        )
        adl = natural.state.accept_invitation(invitation)
    events.apply("party.delegation_granted", "party", adl.customer_id)

    sync.run_pass(run)

    assert IndexedCustomer.objects.filter(party_id=adl.customer_id).exists()


def test_a_customer_natural_no_longer_knows_is_removed(natural, finished_run):
    ghost = "pty_" + "0" * 32
    IndexedCustomer.objects.create(
        party_id=ghost,
        name="Gone",
        name_folded="gone",
        last_seen_run=finished_run,
        last_seen_at=finished_run.started_at,
    )
    events.apply("party.updated", "party", ghost)
    assert not IndexedCustomer.objects.filter(party_id=ghost).exists()


def test_out_of_order_deliveries_end_with_what_natural_says_now(natural):
    """Each event reads Natural again, so the older event arriving last changes nothing."""
    sync.sync(ADL)
    adl = revoke_one_active(natural)
    events.apply("party.updated", "party", adl.customer_id)  # the newer event, first
    events.apply("party.delegation_granted", "party", adl.customer_id)  # an older one, late
    assert IndexedAgentDelegation.objects.get(agent_delegation_id=adl.id).revoked


def test_event_types_outside_the_read_model_are_ignored(natural):
    outcome = events.apply("wallet.created", "wallet", "wal_" + "1" * 32)
    assert outcome.state == "ignored"
    assert natural.request_log_snapshot() == []


def test_process_delivery_records_the_outcome(natural):
    customer = next(iter(natural.state.customers))
    delivery = WebhookDelivery.objects.create(
        received_at=natural.clock.now(),
        webhook_id="evt_" + "2" * 32,
        event_type="party.updated",
        resource_type="party",
        resource_id=customer.party.id,
    )
    result = tasks.process_delivery.enqueue(delivery.pk)
    assert result.return_value == "processed"
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.PROCESSED
    # Done once: a second run of the same task changes nothing.
    assert tasks.process_delivery.enqueue(delivery.pk).return_value == "processed"


def test_the_revocation_check_finds_a_revocation_without_a_full_pass(natural):
    sync.sync(ADL)
    adl = revoke_one_active(natural)

    result = tasks.check_revocations.enqueue(started_by="test")

    assert result.return_value == SyncRun.State.COMPLETE
    assert IndexedAgentDelegation.objects.get(agent_delegation_id=adl.id).revoked
    # Nothing else changed state: the revoked ones are exactly those Natural lists only with
    # include_revoked.
    with natural.state.lock:
        revoked = {a.id for a in natural.state.agent_delegations if a.is_revoked}
    assert (
        set(
            IndexedAgentDelegation.objects.filter(revoked=True).values_list(
                "agent_delegation_id", flat=True
            )
        )
        == revoked
    )


def test_event_runs_do_not_date_the_whole_list(natural):
    """The tables' "as of" is the last pass over the list, not the last single-row refresh."""
    from read_model import query

    customer = next(iter(natural.state.customers))
    events.apply("party.updated", "party", customer.party.id)
    assert query.freshness("customers").as_of is None


def test_sync_index_revocations_on_a_timer_marks_a_revocation(natural, capsys):
    from django.core.management import call_command

    sync.sync(ADL)
    adl = revoke_one_active(natural)
    call_command("sync_index", "--revocations")
    assert "agent_delegations: check pass" in capsys.readouterr().out
    assert IndexedAgentDelegation.objects.get(agent_delegation_id=adl.id).revoked


def test_sync_index_revocations_refuses_other_lists(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="agent_delegations only"):
        call_command("sync_index", "customers", "--revocations")
