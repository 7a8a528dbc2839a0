"""Periodic jobs: each app lists them beside its tasks, every worker ticks, one enqueues.

An app's `tasks.py` may define `SCHEDULE = [Periodic(...)]`. `serval worker` calls `enqueue_due`
every few seconds; the due time of a job is the start of the current interval (epoch-aligned),
and the first worker to insert the `ScheduledRun(job, due_at)` row enqueues the task in the
same transaction. Other workers hit the unique constraint and skip, so running many workers on
many machines never runs a due time twice (DESIGN.md §2 rule 4).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from serval.core.models import ScheduledRun

logger = logging.getLogger("serval.scheduler")
KEEP_RUNS = timedelta(days=7)


def _always() -> bool:
    return True


@dataclass(frozen=True)
class Periodic:
    """A task to enqueue every `every()` seconds; `every()` <= 0 or `enabled()` False skips it.

    Both are callables so settings are read at tick time, not at import time.
    """

    name: str
    task: Any
    every: Callable[[], int]
    enabled: Callable[[], bool] = field(default=_always)


def discover() -> list[Periodic]:
    """Collect `SCHEDULE` from every installed Serval app's `tasks` module."""
    jobs: list[Periodic] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("serval."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.tasks":
                raise
            continue
        jobs.extend(getattr(module, "SCHEDULE", []))
    return jobs


def due_time(now: datetime, every: int) -> datetime:
    """The start of the interval `now` falls in, aligned to the epoch so all workers agree."""
    stamp = int(now.timestamp())
    return datetime.fromtimestamp(stamp - stamp % every, tz=UTC)


def enqueue_due(
    *, now: datetime | None = None, jobs: Iterable[Periodic] | None = None
) -> list[str]:
    """Enqueue every job whose current due time nobody has claimed yet; return their names."""
    now = now or timezone.now()
    enqueued: list[str] = []
    for job in discover() if jobs is None else jobs:
        every = job.every()
        if every <= 0 or not job.enabled():
            continue
        due = due_time(now, every)
        if ScheduledRun.objects.filter(job=job.name, due_at=due).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, due_at=due)
                result = job.task.enqueue()
                run.task_id = str(result.id)[:64]
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # another worker claimed this due time first
        enqueued.append(job.name)
        logger.info("enqueued %s due at %s", job.name, due.isoformat())
    if enqueued:
        ScheduledRun.objects.filter(due_at__lt=now - KEEP_RUNS).delete()
    return enqueued
