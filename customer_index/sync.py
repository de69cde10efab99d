"""Bringing the index in step with `GET /customers`: one pass walks every page (limit 100).

- Each page is upserted in its own transaction together with the run's saved cursor, so a pass
  that stops (error, Ctrl-C, SIGTERM, a dead worker) keeps exactly the pages it finished and
  resumes from the next one, under the same run.
- Entries carry the run that last saw them; entries the pass did not see are removed only when
  the pass completes, in the same transaction that marks it complete.
- Only one pass runs at a time: the database refuses a second `running` row (a partial unique
  constraint). A running pass whose heartbeat stopped is dead and may be taken over.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from datetime import datetime, timedelta

from django.db import (
    IntegrityError,
    close_old_connections,
    connection,
    connections,
    transaction,
)
from django.utils import timezone

from customer_index.models import IndexedCustomer, SyncRun, fold
from delegations import services
from delegations.errors import NaturalError, NaturalRejected

logger = logging.getLogger(__name__)

PAGE_LIMIT = 100
# A page takes seconds at worst (timeouts and retry budget); minutes of silence mean a dead pass.
STALE_AFTER = timedelta(minutes=5)
# An unfinished pass older than this starts over: what it saw back then is too old to trust.
RESUME_WITHIN = timedelta(hours=6)
KEEP_RUNS_FOR = timedelta(days=30)

UPDATED_FIELDS = [
    "name",
    "email",
    "created_at",
    "delegation_id",
    "delegation_status",
    "permissions",
    "agents",
    "agent_names",
    "name_folded",
    "email_folded",
    "agent_names_folded",
    "last_seen_run",
    "last_seen_at",
]


class SyncAlreadyRunning(Exception):
    def __init__(self, run: SyncRun) -> None:
        super().__init__(f"Sync #{run.pk} is already running (started {run.started_at:%H:%M:%S}).")
        self.run = run


class SyncLost(Exception):
    """Another worker took this run over; this one stops without writing."""


def sync_customers(*, started_by: str = "") -> SyncRun:
    """Claim a run and walk it to the end, in the calling thread."""
    return run_pass(claim(started_by=started_by))


def claim(*, started_by: str = "") -> SyncRun:
    """The run to work on, now owned by the caller: a dead running one taken over, else the
    latest unfinished one resumed, else a new one. Raises SyncAlreadyRunning."""
    now = timezone.now()
    owner = uuid.uuid4()
    try:
        with transaction.atomic():
            run = SyncRun.objects.select_for_update().filter(state=SyncRun.State.RUNNING).first()
            if run is not None and run.heartbeat_at > now - STALE_AFTER:
                raise SyncAlreadyRunning(run)
            if run is None:
                run = resumable(now) or SyncRun(started_at=now)
            run.state = SyncRun.State.RUNNING
            run.owner = owner
            run.started_by = started_by
            run.heartbeat_at = now
            run.finished_at = None
            run.error = ""
            run.save()
    except IntegrityError:
        # Another process inserted its running row between our read and our write.
        raise SyncAlreadyRunning(
            SyncRun.objects.filter(state=SyncRun.State.RUNNING).first() or SyncRun(started_at=now)
        ) from None
    return run


def resumable(now: datetime) -> SyncRun | None:
    latest = SyncRun.objects.order_by("-pk").first()
    unfinished = (SyncRun.State.FAILED, SyncRun.State.INTERRUPTED)
    if latest is None or latest.state not in unfinished:
        return None
    if latest.started_at < now - RESUME_WITHIN:
        return None
    return latest


def run_pass(run: SyncRun, *, page_limit: int = PAGE_LIMIT) -> SyncRun:
    """Fetch and store pages from the run's cursor to the end, then remove the unseen.

    Returns the run, complete or failed (a Natural error, kept in `run.error`). Anything else
    that stops the pass (a bug, KeyboardInterrupt, SystemExit) marks it interrupted and
    propagates; the pages already stored stay, and the next claim resumes from its cursor.
    """
    try:
        while True:
            page = fetch(run, page_limit)
            store_page(run, page.items, page.next_cursor if page.has_more else "")
            if not (page.has_more and page.next_cursor):
                break
        complete(run)
    except SyncLost:
        logger.warning("customer sync #%s was taken over by another worker", run.pk)
        raise
    except NaturalError as error:
        finish(run, SyncRun.State.FAILED, error.message)
        logger.warning("customer sync #%s failed after %s pages: %s", run.pk, run.pages, error)
    except BaseException as error:
        finish(run, SyncRun.State.INTERRUPTED, type(error).__name__)
        raise
    return run


def fetch(run: SyncRun, page_limit: int):
    try:
        return services.list_customers(cursor=run.cursor or None, limit=page_limit)
    except NaturalRejected as error:
        if not run.cursor or error.status != 400:
            raise
    # The saved cursor is refused (expired): walk again from the top under the same run;
    # entries already marked seen stay marked, so nothing is removed twice or wrongly.
    logger.info("customer sync #%s: saved cursor refused, restarting the walk", run.pk)
    run.cursor = ""
    return services.list_customers(cursor=None, limit=page_limit)


def store_page(run: SyncRun, customers, next_cursor: str) -> None:
    now = timezone.now()
    entries = {customer.id: entry(customer, run, now) for customer in customers}
    with transaction.atomic():
        IndexedCustomer.objects.bulk_create(
            entries.values(),
            update_conflicts=True,
            unique_fields=["party_id"],
            update_fields=UPDATED_FIELDS,
        )
        claimed_update(
            run,
            cursor=next_cursor,
            pages=run.pages + 1,
            seen=run.seen + len(entries),
            heartbeat_at=now,
        )


def complete(run: SyncRun) -> None:
    now = timezone.now()
    with transaction.atomic():
        removed, _ = IndexedCustomer.objects.exclude(last_seen_run=run).delete()
        claimed_update(
            run, state=SyncRun.State.COMPLETE, cursor="", removed=removed, finished_at=now
        )
        SyncRun.objects.exclude(pk=run.pk).exclude(state=SyncRun.State.RUNNING).filter(
            started_at__lt=now - KEEP_RUNS_FOR
        ).delete()
    refresh_search_indexes()


def refresh_search_indexes() -> None:
    """After a bulk load on PostgreSQL: fold the GIN pending lists into the indexes (else every
    search scans thousands of unsorted entries until autovacuum: 6 ms on a query matching
    nothing) and refresh the planner's statistics (stale ones sort thousands of rows where it
    should walk the newest-first index: 15 ms against 4 ms). Flushing once beats fastupdate=off,
    which made the 100,000-customer sync take twice as long."""
    if connection.vendor != "postgresql":
        return
    table = IndexedCustomer._meta.db_table
    with connection.cursor() as cursor:
        for column in ("name_folded", "email_folded", "agent_names_folded"):
            cursor.execute(
                "SELECT gin_clean_pending_list(%s::regclass)", [f"customer_index_{column}_trgm"]
            )
        cursor.execute(f"ANALYZE {table}")


def finish(run: SyncRun, state: str, error: str) -> None:
    """Record how an unfinished pass ended, unless someone else owns it by now."""
    with contextlib.suppress(SyncLost):
        claimed_update(run, state=state, error=error[:2000], finished_at=timezone.now())


def claimed_update(run: SyncRun, **fields) -> None:
    updated = SyncRun.objects.filter(pk=run.pk, owner=run.owner).update(**fields)
    if not updated:
        raise SyncLost(f"sync #{run.pk} has another owner")
    for name, value in fields.items():
        setattr(run, name, value)


def entry(customer, run: SyncRun | None = None, now: datetime | None = None) -> IndexedCustomer:
    """The index row for one `delegations.records.Customer` (unsaved; no run for a preview)."""
    delegation = customer.delegation
    agents = [
        {
            "id": agent.id,
            "name": agent.name or "",
            "status": agent.status or "",
            "permissions": list(agent.permissions or ()),
            "per_transaction_cents": per_transaction_cents(agent.limits),
        }
        for agent in customer.agents
    ]
    agent_names = "\n".join(agent["name"] for agent in agents)
    name, email = customer.name or "", customer.email or ""
    row = IndexedCustomer(
        party_id=customer.id,
        name=name,
        email=email,
        created_at=customer.created_at,
        delegation_id=delegation.id if delegation else "",
        delegation_status=(delegation.status or "") if delegation else "",
        permissions=list(delegation.permissions or ()) if delegation else [],
        agents=agents,
        agent_names=agent_names,
        name_folded=fold(name),
        email_folded=fold(email),
        agent_names_folded=fold(agent_names),
        last_seen_at=now,
    )
    if run is not None:
        row.last_seen_run = run
    return row


def per_transaction_cents(limits) -> int | None:
    if limits is None or limits.per_transaction is None:
        return None
    return limits.per_transaction.cents


def start_in_background(*, started_by: str = "") -> SyncRun:
    """Claim a run now (so a refusal is immediate and the progress row exists), then walk it
    in a daemon thread of this process. Production runs `manage.py sync_customers` on a timer;
    this serves the "Refresh index" button."""
    run = claim(started_by=started_by)
    launch(run)
    return run


def launch(run: SyncRun) -> None:
    threading.Thread(
        target=_run_in_thread, args=(run,), name=f"customer-sync-{run.pk}", daemon=True
    ).start()


def _run_in_thread(run: SyncRun) -> None:
    close_old_connections()
    try:
        run_pass(run)
    except SyncLost:
        pass
    except Exception:
        logger.exception("customer sync #%s stopped", run.pk)
    finally:
        connections.close_all()
