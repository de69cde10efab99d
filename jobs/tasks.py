"""The workers' own housekeeping."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.tasks import task

# Finished tasks kept in the database queue (the schedule adds a few thousand a day).
KEEP_TASK_RESULTS_DAYS = 1


@task
def prune_task_results() -> str:
    """Forget finished tasks of the database queue older than a day."""
    if settings.TASKS_BACKEND != "database":
        return "nothing to prune"
    call_command(
        "prune_db_task_results", min_age_days=KEEP_TASK_RESULTS_DAYS, queue_name="*", verbosity=0
    )
    return "pruned"
