"""Bringing the read model in step with Natural's lists: one engine for every resource.

- A full pass walks each of the resource's lists to the end (limit 100). Each page is upserted
  in its own transaction together with the run's saved walk and cursor, so a pass that stops
  (error, Ctrl-C, SIGTERM, a dead worker) keeps exactly the pages it finished and resumes from
  the next one, under the same run.
- A quick pass walks only the newest pages (QUICK_PAGES), so recent rows stay within a timer's
  tick of Natural between full passes. It never removes anything and is never resumed.
- Rows carry the run that last saw them. When a full pass completes, in the same transaction
  that marks it complete, it removes the rows no pass has seen since it began (run ids only
  grow, so a quick pass running meanwhile keeps what it saw).
- Only one pass of each resource and mode runs at a time: the database refuses a second
  `running` row (a partial unique constraint), across processes and hosts. A running pass
  whose heartbeat stopped is dead and may be taken over.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from datetime import datetime, timedelta

from django.db import (
    IntegrityError,
    connection,
    models,
    transaction,
)
from django.utils import timezone

from natural.errors import NaturalError, NaturalRejected
from read_model import query
from read_model.models import SyncRun
from read_model.resources import (
    AGENT_DELEGATIONS,
    CUSTOMERS,
    RESOURCES,
    Resource,
    Walk,
    mark_revoked,
    mark_unlisted_revoked,
)

logger = logging.getLogger(__name__)

PAGE_LIMIT = 100
QUICK_PAGES = 3
# A page takes seconds at worst (timeouts and retry budget); minutes of silence mean a dead pass.
STALE_AFTER = timedelta(minutes=5)
# An unfinished pass older than this starts over: what it saw back then is too old to trust.
RESUME_WITHIN = timedelta(hours=6)
KEEP_RUNS_FOR = timedelta(days=30)
KEEP_QUICK_RUNS_FOR = timedelta(hours=1)

FULL = SyncRun.Mode.FULL
QUICK = SyncRun.Mode.QUICK
CHECK = SyncRun.Mode.CHECK
EVENT = SyncRun.Mode.EVENT


class SyncAlreadyRunning(Exception):
    def __init__(self, run: SyncRun) -> None:
        super().__init__(
            f"Sync #{run.pk} of {run.resource} is already running "
            f"(started {run.started_at:%H:%M:%S})."
        )
        self.run = run


class SyncLost(Exception):
    """Another worker took this run over; this one stops without writing."""


class SyncStopped(Exception):
    """Asked to stop (the process is being stopped): the pass ends interrupted, resumable."""


def sync_customers(*, started_by: str = "") -> SyncRun:
    """Claim a full customer pass and walk it to the end, in the calling thread."""
    return run_pass(claim(started_by=started_by))


def sync(resource: str, *, mode: str = FULL, started_by: str = "") -> SyncRun:
    """Claim a pass of one resource and walk it to the end, in the calling thread."""
    return run_pass(claim(resource=resource, mode=mode, started_by=started_by))


def claim(*, resource: str = CUSTOMERS.name, mode: str = FULL, started_by: str = "") -> SyncRun:
    """The run to work on, now owned by the caller: a dead running one taken over, else (full
    passes only) the latest unfinished one resumed, else a new one. Raises SyncAlreadyRunning."""
    if resource not in RESOURCES:
        raise ValueError(f"Unknown resource {resource!r}: one of {', '.join(RESOURCES)}.")
    if mode == CHECK and resource != AGENT_DELEGATIONS.name:
        raise ValueError("Only agent delegations have a revocation check.")
    if mode == EVENT:
        raise ValueError("Event syncs are not claimed: see read_model/events.py.")
    now = timezone.now()
    owner = uuid.uuid4()
    passes = SyncRun.objects.filter(resource=resource, mode=mode)
    try:
        with transaction.atomic():
            run = passes.select_for_update().filter(state=SyncRun.State.RUNNING).first()
            if run is not None and run.heartbeat_at > now - STALE_AFTER:
                raise SyncAlreadyRunning(run)
            if run is None:
                resumed = resumable(passes, now) if mode == FULL else None
                run = resumed or SyncRun(resource=resource, mode=mode, started_at=now)
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
            passes.filter(state=SyncRun.State.RUNNING).first()
            or SyncRun(resource=resource, started_at=now)
        ) from None
    return run


def resumable(passes, now: datetime) -> SyncRun | None:
    latest = passes.order_by("-pk").first()
    unfinished = (SyncRun.State.FAILED, SyncRun.State.INTERRUPTED)
    if latest is None or latest.state not in unfinished:
        return None
    if latest.started_at < now - RESUME_WITHIN:
        return None
    return latest


def run_pass(
    run: SyncRun, *, page_limit: int = PAGE_LIMIT, stop: threading.Event | None = None
) -> SyncRun:
    """Fetch and store pages from the run's walk and cursor to the end, then complete it.

    `stop`, when set by another thread, ends the pass interrupted after the page in hand.

    Returns the run, complete or failed (a Natural error, kept in `run.error`). Anything else
    that stops the pass (a bug, KeyboardInterrupt, SystemExit) marks it interrupted and
    propagates; the pages already stored stay, and the next claim resumes from its cursor.
    """
    resource = RESOURCES[run.resource]
    walks = resource.walks_for(run.mode)
    try:
        while True:
            walk = walks[run.walk]
            page = fetch(run, walk, run.cursor, page_limit)
            if stop is not None and stop.is_set():
                raise SyncStopped(f"sync #{run.pk} of {run.resource} was stopped")
            more = bool(page.has_more and page.next_cursor)
            if run.mode == QUICK and run.pages + 1 >= QUICK_PAGES:
                more = False
            if more:
                store_page(run, resource, walk, page.items, cursor=page.next_cursor)
            elif run.walk + 1 < len(walks):
                store_page(run, resource, walk, page.items, cursor="", next_walk=run.walk + 1)
            else:
                store_page(run, resource, walk, page.items, cursor="")
                break
        complete(run, resource)
    except SyncLost:
        logger.warning("%s sync #%s was taken over by another worker", run.resource, run.pk)
        raise
    except NaturalError as error:
        finish(run, SyncRun.State.FAILED, error.message)
        logger.warning(
            "%s sync #%s failed after %s pages: %s", run.resource, run.pk, run.pages, error
        )
    except BaseException as error:
        finish(run, SyncRun.State.INTERRUPTED, type(error).__name__)
        raise
    return run


def fetch(run: SyncRun, walk: Walk, cursor: str, page_limit: int):
    """One page of the walk from `cursor` (empty: the top)."""
    try:
        return walk.fetch(cursor=cursor or None, limit=page_limit)
    except NaturalRejected as error:
        if not cursor or error.status != 400:
            raise
    # The saved cursor is refused (expired): walk this list again from the top under the same
    # run; rows already marked seen stay marked, so nothing is removed twice or wrongly.
    logger.info("%s sync #%s: saved cursor refused, restarting the walk", run.resource, run.pk)
    return walk.fetch(cursor=None, limit=page_limit)


def store_page(
    run: SyncRun,
    resource: Resource,
    walk: Walk,
    records,
    *,
    cursor: str,
    next_walk: int | None = None,
) -> None:
    now = timezone.now()
    built = {}
    for record in records:
        row = resource.build(record, run, now)
        for name, value in walk.marks.items():
            setattr(row, name, value(run))
        built[getattr(row, resource.key)] = row
    # One order for every writer, so two passes upserting the same rows cannot deadlock.
    ordered = [built[key] for key in sorted(built)]
    progress = {"cursor": cursor, "pages": run.pages + 1, "seen": run.seen + len(ordered)}
    if next_walk is not None:
        progress["walk"] = next_walk
    with transaction.atomic():
        upsert(resource, ordered, resource.updated_fields(walk))
        claimed_update(run, heartbeat_at=now, **progress)


def upsert(resource: Resource, rows: list, updated: list[str]) -> None:
    """Insert the rows, or update `updated` where the key exists: one statement run for every
    row. Plain SQL, because building Django's bulk upsert cost more than the database's work
    (every value of every row goes through the compiler)."""
    if not rows:
        return
    model = resource.model
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    changed = [model._meta.get_field(name).column for name in updated]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({quote(model._meta.get_field(resource.key).column)}) DO UPDATE SET "
        + ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in changed)
    )
    prepare = [converter(f) for f in fields]
    values = [
        [to_db(getattr(row, f.attname)) for f, to_db in zip(fields, prepare, strict=True)]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def converter(field):
    """How one column's Python value becomes a query parameter (only some types need help)."""
    if isinstance(field, models.JSONField | models.DateTimeField):
        return lambda value: field.get_db_prep_save(value, connection)
    return lambda value: value


def complete(run: SyncRun, resource: Resource) -> None:
    now = timezone.now()
    full = run.mode == FULL
    with transaction.atomic():
        removed = 0
        if full:
            removed, _ = resource.model.objects.filter(last_seen_run_id__lt=run.pk).delete()
            if resource is AGENT_DELEGATIONS:
                mark_revoked(run)
        elif run.mode == CHECK:
            mark_unlisted_revoked(run)
        claimed_update(
            run, state=SyncRun.State.COMPLETE, cursor="", removed=removed, finished_at=now
        )
        if full:
            prune(run, now)
    if full:
        refresh_search_indexes(resource)
    query.rebuild_counts(run.resource)


def prune(run: SyncRun, now: datetime) -> None:
    """Forget old finished passes. Only ones older than this complete full pass: every row
    left refers to this pass or a later one."""
    older = SyncRun.objects.filter(resource=run.resource, pk__lt=run.pk).exclude(
        state=SyncRun.State.RUNNING
    )
    older.filter(mode=FULL, started_at__lt=now - KEEP_RUNS_FOR).delete()
    older.filter(mode__in=(QUICK, CHECK, EVENT), started_at__lt=now - KEEP_QUICK_RUNS_FOR).delete()


def refresh_search_indexes(resource: Resource) -> None:
    """After a bulk load on PostgreSQL: fold the GIN pending lists into the indexes (else every
    search scans thousands of unsorted entries until autovacuum: 6 ms on a query matching
    nothing) and refresh the planner's statistics (stale ones sort thousands of rows where it
    should walk the newest-first index: 15 ms against 4 ms). Flushing once beats fastupdate=off,
    which made the 100,000-customer sync take twice as long."""
    table = resource.model._meta.db_table
    if connection.vendor == "sqlite":
        # Without statistics SQLite's planner walks the wrong index for filtered sorts.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
        return
    with connection.cursor() as cursor:
        for column in resource.trigram_columns:
            cursor.execute(
                "SELECT gin_clean_pending_list(%s::regclass)", [resource.trigram_index(column)]
            )
        # VACUUM also marks the pages all-visible, so counts read from an index that holds
        # every column they group by never visit the table; it cannot run in a transaction.
        cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {table}")


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
