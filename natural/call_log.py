"""The outbound request log: one `ApiCall` row per attempt to Natural, written off the hot path.

A page's call to Natural only queues its row; one writer thread stores what is queued in a
single INSERT per batch. Inside an open transaction the row is written at once instead, as a
savepoint of that transaction: it commits (or rolls back) with the work it records.
A database problem is logged, never raised into the caller.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
from datetime import datetime
from typing import Any

from django.db import close_old_connections, connection, transaction

from natural.models import ApiCall

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# The writer gathers a moment's calls into one INSERT instead of waking for every call, which
# would compete with the pages for the interpreter.
GATHER_SECONDS = 0.5
_queue: queue.Queue[tuple[dict[str, Any], datetime]] = queue.Queue()
_writer: threading.Thread | None = None
_writer_lock = threading.Lock()


def record(entry: dict[str, Any], created_at: datetime) -> None:
    """Store one attempt: now inside a transaction, else by the writer thread."""
    if connection.in_atomic_block:
        _store([(entry, created_at)], savepoint=True)
        return
    _ensure_writer()
    _queue.put((entry, created_at))


def flush() -> None:
    """Wait until every queued row is stored (management commands, shutdown, tests)."""
    if _writer is not None:
        _queue.join()


def _ensure_writer() -> None:
    global _writer
    if _writer is not None and _writer.is_alive():
        return
    with _writer_lock:
        if _writer is None or not _writer.is_alive():
            # After a fork (gunicorn) the parent's thread is gone: each process starts its own.
            _writer = threading.Thread(target=_write_forever, name="natural-call-log", daemon=True)
            _writer.start()


def _write_forever() -> None:
    while True:
        batch = [_queue.get()]
        time.sleep(GATHER_SECONDS)
        while len(batch) < BATCH_SIZE:
            try:
                batch.append(_queue.get_nowait())
            except queue.Empty:
                break
        try:
            close_old_connections()
            _store(batch, savepoint=False)
            if _queue.empty():
                # An idle writer holds no connection: a database being dropped or restarted
                # (a test run's teardown, a failover) must not find it still attached.
                connection.close()
        finally:
            for _ in batch:
                _queue.task_done()


def _rows(batch):
    for entry, created_at in batch:
        # Natural's strings are not ours to trust: cut them to the columns rather than lose the row.
        clipped = {
            name: value[: ApiCall._meta.get_field(name).max_length]
            if isinstance(value, str)
            else value
            for name, value in entry.items()
        }
        yield ApiCall(**clipped, created_at=created_at)


def _store(batch, *, savepoint: bool) -> None:
    try:
        with transaction.atomic(savepoint=savepoint):
            ApiCall.objects.bulk_create(list(_rows(batch)))
    except Exception:
        logger.warning("could not store %d Natural call log row(s)", len(batch), exc_info=True)


atexit.register(flush)
