from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from read_model.models import IndexedCustomer, SyncRun, fold


@pytest.fixture
def finished_run(db) -> SyncRun:
    now = timezone.now()
    return SyncRun.objects.create(
        state=SyncRun.State.COMPLETE, started_at=now, heartbeat_at=now, finished_at=now, seen=0
    )


@pytest.fixture
def add_customer(finished_run):
    """Put one customer straight into the index; later calls are newer unless `age` says."""
    counter = iter(range(1, 10_000))

    def add(name: str, email: str = "", *, agents=(), age_days: float | None = None, **extra):
        number = next(counter)
        created = timezone.now() - timedelta(days=age_days if age_days is not None else -number)
        agent_list = [
            {
                "id": f"agt_{i:032x}",
                "name": agent,
                "status": "ACTIVE",
                "permissions": [],
                "per_transaction_cents": 100_000,
            }
            for i, agent in enumerate(agents)
        ]
        agent_names = "\n".join(agents)
        return IndexedCustomer.objects.create(
            party_id=extra.pop("party_id", f"pty_{number:032x}"),
            name=name,
            email=email,
            created_at=created,
            delegation_id=f"dlg_{number:032x}",
            delegation_status="ACTIVE",
            agents=agent_list,
            agent_names=agent_names,
            name_folded=fold(name),
            email_folded=fold(email),
            agent_names_folded=fold(agent_names),
            last_seen_run=finished_run,
            last_seen_at=timezone.now(),
            **extra,
        )

    return add
