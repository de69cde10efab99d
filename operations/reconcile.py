"""Settle an `unknown` operation by reading what Natural holds, instead of creating again.

Each write declares a finder (operations/finders.py) that looks its effect up in Natural. The
finding is stored on the operation as `reconciliation`; the original attempts and result stay as
they were.
When everything it was meant to do is found, the operation is settled as succeeded.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from operations import engine
from operations.catalog import declared
from operations.models import Operation, State


class CannotReconcile(Exception):
    pass


def reconcile(operation: Operation, *, actor) -> Operation:
    finder = declared(operation.action).finder
    if finder is None:
        raise CannotReconcile("There is no way to look this action up in Natural yet.")
    operation.refresh_from_db()
    if operation.is_stale_sending:
        operation = engine.abandon(operation)
    if operation.state in (State.PENDING, State.SENDING):
        raise CannotReconcile("The operation is being sent or waiting to be sent; look again soon.")
    found, missing = finder(operation)
    if found and missing:
        outcome = "partial"
    elif found:
        outcome = "found"
    else:
        outcome = "absent"
    record = {
        "at": timezone.now().isoformat(),
        "by": actor.get_username(),
        "outcome": outcome,
        "found": found,
        "missing": missing,
    }
    with transaction.atomic():
        locked = Operation.objects.select_for_update().get(pk=operation.pk)
        history = list((locked.reconciliation or {}).get("history", []))
        history.append(record)
        locked.reconciliation = {**record, "history": history}
        found_ids = " ".join(item["id"] for item in found)
        locked.search_text = f"{locked.search_text} {found_ids}".strip()
        fields = ["reconciliation", "search_text"]
        if outcome == "found" and locked.state == State.UNKNOWN:
            # Everything it was meant to do is visible in Natural: settled, never resent.
            locked.state = State.SUCCEEDED
            locked.finished_at = timezone.now()
            fields += ["state", "finished_at"]
        locked.save(update_fields=fields)
    operation.refresh_from_db()
    return operation
