"""DOMAIN.md §2.1: resolved incidents close after N days (0 disables); the job is idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from serval.core import scheduler
from serval.core.models import JournalEvent
from serval.incidents import actions as inc
from serval.incidents import states as S
from serval.incidents.tasks import auto_close_resolved_incidents
from serval.work.models import WorkItem
from tests import factories as f


def _resolved(world, days_ago: int) -> WorkItem:
    item = f.make_incident(world.agent, assignment_group=world.team.pk)
    inc.transition_incident(
        actor=world.agent, item=item, to=S.RESOLVED, close_code="solved_remotely", close_notes="ok"
    )
    # Age the resolution; the clock is the only thing the test controls.
    WorkItem.objects.filter(pk=item.pk).update(
        resolved_at=timezone.now() - timedelta(days=days_ago)
    )
    return item


def test_old_resolutions_close_and_a_second_run_does_nothing(world, settings):
    settings.INCIDENT_AUTO_CLOSE_DAYS = 7
    old, recent = _resolved(world, 8), _resolved(world, 2)
    assert auto_close_resolved_incidents.call() == 1
    assert auto_close_resolved_incidents.call() == 0
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.state == S.CLOSED and not old.active and old.closed_at
    assert recent.state == S.RESOLVED
    closes = JournalEvent.objects.filter(
        subject_id=old.pk, verb="transition", data__to=S.CLOSED
    ).count()
    assert closes == 1


def test_zero_days_disables_auto_close(world, settings):
    settings.INCIDENT_AUTO_CLOSE_DAYS = 0
    old = _resolved(world, 30)
    assert auto_close_resolved_incidents.call() == 0
    old.refresh_from_db()
    assert old.state == S.RESOLVED


def test_the_scheduled_job_goes_through_the_queue_and_the_worker(world, settings):
    """Scheduler → database queue → django-tasks-db's worker, as `serval worker` wires them."""
    settings.INCIDENT_AUTO_CLOSE_DAYS = 7
    old = _resolved(world, 10)
    jobs = [job for job in scheduler.discover() if job.name == "incidents.auto_close"]
    assert scheduler.enqueue_due(jobs=jobs) == ["incidents.auto_close"]
    queued = (
        DBTaskResult.objects.ready()
        .filter(task_path=auto_close_resolved_incidents.module_path)
        .get_locked()
    )
    queued.claim("test-worker")
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    worker.run_task(queued)
    old.refresh_from_db()
    assert old.state == S.CLOSED
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value == 1
