"""DESIGN.md §2 rule 4: each due time of a periodic job is enqueued once, even when the
schedulers of several workers tick at the same instant against one database. Four threads (each
with its own connection, like separate processes) race for the same due time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from serval.core import scheduler
from serval.core.models import ScheduledRun

RACERS = 4


@pytest.mark.django_db(transaction=True)
def test_racing_schedulers_enqueue_each_due_time_once(settings):
    settings.SLA_SWEEP_INTERVAL = 60
    settings.AUTOCLOSE_INTERVAL = 300
    settings.INCIDENT_AUTO_CLOSE_DAYS = 7
    settings.TASK_RETRY_INTERVAL = 60
    jobs = scheduler.discover()
    names = sorted(job.name for job in jobs)
    now = datetime(2030, 1, 1, 12, 3, 20, tzinfo=UTC)
    barrier = threading.Barrier(RACERS)
    claimed: list[list[str]] = []
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            barrier.wait(timeout=30)
            claimed.append(scheduler.enqueue_due(now=now, jobs=jobs))
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(name for got in claimed for name in got) == names  # each claimed by one
    assert sorted(ScheduledRun.objects.values_list("job", flat=True)) == names
    for job in jobs:
        assert DBTaskResult.objects.filter(task_path=job.task.module_path).count() == 1
