"""The SLA sweep is declared in sla/tasks.py SCHEDULE, so every worker's scheduler enqueues it
once per due time (DESIGN.md §2 rule 4; issue 3 "a periodic sweep as the safety net").
"""

from __future__ import annotations

from datetime import UTC, datetime

from django_tasks_db.models import DBTaskResult

from serval.core import scheduler
from serval.sla.tasks import sweep_sla_clocks


def test_the_sweep_is_enqueued_once_per_interval(db, settings):
    settings.SLA_SWEEP_INTERVAL = 60
    settings.INCIDENT_AUTO_CLOSE_DAYS = 0
    settings.TASK_RETRY_INTERVAL = 0
    settings.REMINDER_INTERVAL = 0  # the asset reminder job is not under test here
    now = datetime(2030, 1, 1, 12, 0, 30, tzinfo=UTC)
    assert scheduler.enqueue_due(now=now) == ["sla.sweep"]
    assert scheduler.enqueue_due(now=now) == []
    assert DBTaskResult.objects.filter(task_path=sweep_sla_clocks.module_path).count() == 1
    assert sweep_sla_clocks.call() == 0
