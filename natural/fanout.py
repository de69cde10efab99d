"""Run independent upstream calls side by side, so a page waits for the slowest, not the sum."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connection, connections

# Small on purpose: each page fans out to a few calls and the shared httpx pool caps the rest.
_executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="natural-fanout")


def _in_worker[T](call: Callable[[], T]) -> T:
    try:
        return call()
    finally:
        # A worker thread must not keep its own database connection open.
        connections.close_all()


def _now[T](call: Callable[[], T]) -> Future[T]:
    future: Future[T] = Future()
    try:
        future.set_result(call())
    except Exception as error:  # noqa: BLE001 - handed to the caller, as the pool would
        future.set_exception(error)
    return future


def submit[T](call: Callable[[], T]) -> Future[T]:
    """Run `call` in the pool; in this thread when a transaction is open here, because a
    worker's connection could neither see it nor be rolled back with it."""
    if connection.in_atomic_block:
        return _now(call)
    # The copied context carries the request's time budget into the worker.
    return _executor.submit(contextvars.copy_context().run, _in_worker, call)
