"""`manage.py run_worker`: one worker of the task queue, with the schedule of periodic work.

With TASKS_BACKEND=database it runs django-tasks-db's `db_worker` (every queue); with
TASKS_BACKEND=redis, django-rq's `rqworker` on the default queue. Start as many as wanted, on
as many hosts: each part of a batch is claimed once, and each period's job is enqueued once.
"""

from __future__ import annotations

import socket

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string

from jobs.schedule import Scheduler


class Command(BaseCommand):
    help = (
        "Run a worker of the task queue (batch sends, read-model passes) and the schedule that "
        "enqueues the periodic passes. Stop it with Ctrl-C or SIGTERM: it finishes its task."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="only run tasks; leave the periodic work to the other workers",
        )
        parser.add_argument(
            "--burst", action="store_true", help="run the tasks already queued, then exit"
        )
        parser.add_argument("--name", default="", help="the worker's name (default: host-random)")

    def handle(self, *args, no_schedule, burst, name, **options):
        backend = settings.TASKS_BACKEND
        if backend not in ("database", "redis"):
            raise CommandError(
                f"TASKS_BACKEND={backend} runs tasks where they are enqueued: there is nothing "
                "for a worker to do. Use database or redis."
            )
        name = name or f"{socket.gethostname()}-{get_random_string(8)}"
        scheduler = None
        if not no_schedule and not burst:
            scheduler = Scheduler(name)
            scheduler.start()
        verbosity = options.get("verbosity", 1)
        try:
            if backend == "database":
                call_command(
                    "db_worker",
                    queue_name="*",
                    interval=0.2,
                    reload=False,
                    batch=burst,
                    worker_id=name[:64],
                    verbosity=verbosity,
                )
            else:
                call_command(
                    "rqworker",
                    "default",
                    job_class="django_tasks_rq.backend.Job",
                    # One process: a SIGKILL takes the worker and its task together, as with
                    # the database worker, and the part it was sending is settled the same way.
                    worker_class="rq.worker.SimpleWorker",
                    burst=burst,
                    name=name,
                    verbosity=verbosity,
                )
        finally:
            if scheduler is not None:
                scheduler.stop()
