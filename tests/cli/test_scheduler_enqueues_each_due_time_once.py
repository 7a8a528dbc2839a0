"""DESIGN.md §2 rule 4: many workers tick, each due time of a periodic job is enqueued once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django_tasks_db.models import DBTaskResult

from serval.core import scheduler
from serval.core.models import ScheduledRun
from serval.incidents.tasks import auto_close_resolved_incidents


def test_the_same_due_time_is_enqueued_once_however_often_workers_tick(db, settings):
    settings.SLA_SWEEP_INTERVAL = 0  # only the auto-close job is under test here
    settings.TASK_RETRY_INTERVAL = 0
    settings.REMINDER_INTERVAL = 0  # the asset reminder job is not under test here
    settings.AUTOCLOSE_INTERVAL = 300
    settings.INCIDENT_AUTO_CLOSE_DAYS = 7
    now = datetime(2030, 1, 1, 12, 3, 20, tzinfo=UTC)
    assert scheduler.enqueue_due(now=now) == ["incidents.auto_close"]
    assert scheduler.enqueue_due(now=now) == []
    assert scheduler.enqueue_due(now=now + timedelta(seconds=90)) == []  # same interval
    assert (
        DBTaskResult.objects.filter(task_path=auto_close_resolved_incidents.module_path).count()
        == 1
    )
    run = ScheduledRun.objects.get()
    assert run.due_at == datetime(2030, 1, 1, 12, 0, tzinfo=UTC) and run.task_id

    assert scheduler.enqueue_due(now=now + timedelta(minutes=5)) == ["incidents.auto_close"]
    assert DBTaskResult.objects.count() == 2


def test_disabled_jobs_are_not_enqueued(db, settings):
    settings.SLA_SWEEP_INTERVAL = 0
    settings.TASK_RETRY_INTERVAL = 0
    settings.REMINDER_INTERVAL = 0  # the asset reminder job is not under test here
    settings.INCIDENT_AUTO_CLOSE_DAYS = 0
    assert scheduler.enqueue_due() == []
    settings.INCIDENT_AUTO_CLOSE_DAYS = 7
    settings.AUTOCLOSE_INTERVAL = 0
    assert scheduler.enqueue_due() == []
    assert not DBTaskResult.objects.exists()
