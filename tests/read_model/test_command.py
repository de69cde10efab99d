import pytest
from django.core.management import CommandError, call_command

from natural import reads
from natural.errors import NaturalUnavailable
from read_model import sync
from read_model.models import IndexedCustomer, SyncRun


def test_builds_the_index(natural, capsys):
    call_command("sync_customers")

    assert IndexedCustomer.objects.count() == len(natural.state.customers)
    assert "Customer index up to date" in capsys.readouterr().out


def test_refuses_beside_a_running_pass(natural):
    sync.claim(started_by="button")

    with pytest.raises(CommandError, match="already running") as refused:
        call_command("sync_customers")

    assert refused.value.returncode == 75


def test_a_failed_pass_exits_non_zero_and_the_next_run_resumes(natural, monkeypatch, capsys):
    real = reads.list_customers
    calls = []

    def down_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise NaturalUnavailable("Natural is unavailable.")
        return real(**kwargs)

    monkeypatch.setattr(reads, "list_customers", down_once)
    with pytest.raises(CommandError, match="resume"):
        call_command("sync_customers")

    call_command("sync_customers")

    assert "Resuming sync" in capsys.readouterr().out
    assert SyncRun.objects.get().state == SyncRun.State.COMPLETE
