"""`serval worker`: run queued tasks, and enqueue periodic jobs when they fall due.

Tasks are taken with django-tasks-db's worker (row locks, `SKIP LOCKED` on PostgreSQL), so any
number of workers on any number of machines can share one database. Beside it a scheduler
thread ticks every few seconds; `serval.core.scheduler` makes sure each due time of each
periodic job is enqueued once, however many workers tick (DESIGN.md §2 rule 4).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django_tasks_db.management.commands.db_worker import (
    Worker,
    valid_interval,
    valid_max_tasks,
)

from serval.core import scheduler

logger = logging.getLogger("serval.worker")


def _scheduler_loop(stop: threading.Event, tick: float) -> None:
    """Tick until told to stop; a failing tick is logged and retried on the next one."""
    try:
        while not stop.is_set():
            close_old_connections()
            try:
                scheduler.enqueue_due()
            except Exception:
                logger.exception("scheduler tick failed")
            stop.wait(tick)
    finally:
        connection.close()


class Command(BaseCommand):
    help = _(
        "Run background tasks from the database queue and enqueue periodic jobs (such as the "
        "auto-close of resolved incidents) when they fall due. Run as many as you like, on as "
        "many machines as you like; SIGTERM or Ctrl+C stops it after the current task."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue-name",
            default="*",
            help=_("Queues to take tasks from, comma-separated; '*' means all (the default)."),
        )
        parser.add_argument(
            "--interval",
            type=valid_interval,
            default=1.0,
            help=_("Seconds to wait when the queue is empty (default: %(default)s)."),
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help=_("Enqueue due periodic jobs once, run every waiting task, then exit."),
        )
        parser.add_argument(
            "--max-tasks",
            type=valid_max_tasks,
            default=None,
            help=_("Exit after this many tasks (a supervisor then starts a fresh process)."),
        )
        parser.add_argument(
            "--no-scheduler",
            dest="scheduler",
            action="store_false",
            help=_("Only run tasks; do not enqueue periodic jobs from this process."),
        )
        parser.add_argument(
            "--tick",
            type=valid_interval,
            default=5.0,
            help=_("Seconds between scheduler checks (default: %(default)s)."),
        )
        parser.add_argument(
            "--worker-id",
            default="",
            help=_("A name unique in the worker pool (default: host name, process id, random)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = (
            options["worker_id"]
            or (f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}")[:64]
        )
        self._configure_logging(options["verbosity"])
        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=not options["batch"],
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        if options["batch"]:
            if options["scheduler"]:
                scheduler.enqueue_due()
            worker.run()
            return
        stop = threading.Event()
        thread = None
        if options["scheduler"]:
            thread = threading.Thread(
                target=_scheduler_loop, args=(stop, options["tick"]), name="scheduler", daemon=True
            )
            thread.start()
        worker.configure_signals()
        if options["verbosity"] >= 1:
            self.stdout.write(
                _("Task worker %(id)s started (scheduler %(state)s).")
                % {"id": worker_id, "state": _("on") if thread else _("off")}
            )
        try:
            worker.run()
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=10)
            worker.reset_signals()

    def _configure_logging(self, verbosity: int) -> None:
        level = logging.WARNING if verbosity == 0 else logging.INFO
        if verbosity > 1:
            level = logging.DEBUG
        for name in ("django_tasks_db", "django.tasks", "serval.scheduler", "serval.worker"):
            logging.getLogger(name).setLevel(level)
