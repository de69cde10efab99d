"""What a bulk cancel did: Natural answers only with a count, so the report puts that count
next to what was selected and the statuses the table showed at the time."""

from __future__ import annotations

from dataclasses import dataclass

from operations.models import Operation, State


@dataclass(frozen=True)
class BulkCancelReport:
    selected: tuple[str, ...]
    # Not pending when the rows were selected: Natural skips these without a word.
    not_pending_when_selected: tuple[tuple[str, str], ...]
    cancelled_count: int | None
    # From a status check: still not canceled after the request (not pending when it arrived).
    not_cancelled_after: tuple[str, ...] | None

    @classmethod
    def of(cls, operation: Operation) -> BulkCancelReport:
        target = operation.target
        selected = tuple(target.get("invitation_ids", []))
        statuses = target.get("statuses_when_selected", {})
        not_pending = tuple(
            (invitation_id, statuses[invitation_id])
            for invitation_id in selected
            if statuses.get(invitation_id, "PENDING") != "PENDING"
        )
        count = None
        if operation.state == State.SUCCEEDED:
            count = operation.result.get("revokedCount")
            if count is None:  # recorded before the count was parsed out of the answer
                count = (operation.result.get("response") or {}).get("revokedCount")
        reconciliation = operation.reconciliation or {}
        not_cancelled = (
            tuple(reconciliation.get("missing", [])) if reconciliation.get("outcome") else None
        )
        return cls(selected, not_pending, count, not_cancelled)

    @property
    def pending_when_selected(self) -> int:
        return len(self.selected) - len(self.not_pending_when_selected)

    @property
    def changed_since_selection(self) -> int:
        """Shown as pending, yet not cancelled: accepted, declined or expired in the meantime."""
        if self.cancelled_count is None:
            return 0
        return max(0, self.pending_when_selected - self.cancelled_count)
