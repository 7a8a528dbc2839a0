"""Issue 3 "failed tasks retry with back-off": django-tasks-db has no retries, so the periodic
job `background.retry_failed` re-enqueues a failed task with the same arguments after
BASE × 2^n seconds, up to TASK_RETRY_MAX times, then gives up and leaves it on the admin page.
Each failed run is re-enqueued at most once, however often the job runs."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from serval.background.models import TaskRetry
from serval.background.retry import backoff, retry_failed
from serval.core import scheduler
from tests.notifications.conftest import run_queue

calls: list[int] = []


@task()
def always_fails(n: int) -> None:
    calls.append(n)
    raise ConnectionError("mail server unreachable")


def test_backoff_doubles_and_is_capped(settings):
    settings.TASK_RETRY_BASE = 60
    assert [backoff(n).total_seconds() for n in range(4)] == [60, 120, 240, 480]
    assert backoff(40) == timedelta(hours=6)


def test_a_failing_task_is_retried_with_growing_waits_then_given_up(db, settings):
    settings.TASK_RETRY_MAX, settings.TASK_RETRY_BASE = 3, 60
    calls.clear()
    always_fails.enqueue(7)
    run_queue()
    assert calls == [7]
    failed_at = DBTaskResult.objects.get().finished_at

    assert retry_failed(now=failed_at + timedelta(seconds=59)) == 0  # not yet
    chain = TaskRetry.objects.get()
    assert chain.next_at == failed_at + timedelta(seconds=60)
    assert retry_failed(now=failed_at + timedelta(seconds=61)) == 1
    assert retry_failed(now=failed_at + timedelta(seconds=62)) == 0  # enqueued once
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert retry.args_kwargs == {"args": [7], "kwargs": {}}

    waits = []
    for _ in range(2):
        run_queue()
        latest = DBTaskResult.objects.get(pk=TaskRetry.objects.get().latest)
        far = latest.finished_at + timedelta(days=1)
        chain = TaskRetry.objects.get()
        retry_failed(now=latest.finished_at)  # records when the next retry is due
        waits.append((TaskRetry.objects.get().next_at - latest.finished_at).total_seconds())
        assert retry_failed(now=far) == 1
    assert waits == [120, 240]
    run_queue()
    assert calls == [7, 7, 7, 7]  # the first run and three retries
    assert retry_failed(now=timezone.now() + timedelta(days=1)) == 0
    chain = TaskRetry.objects.get()
    assert chain.gave_up and chain.attempts == 3
    assert DBTaskResult.objects.filter(status="FAILED").count() == 4


def test_the_retry_job_is_scheduled_like_the_others(db, settings):
    settings.TASK_RETRY_INTERVAL, settings.SLA_SWEEP_INTERVAL = 60, 0
    settings.INCIDENT_AUTO_CLOSE_DAYS = 0
    settings.REMINDER_INTERVAL = 0  # the asset reminder job is scheduled too; not this test
    now = timezone.now()
    assert scheduler.enqueue_due(now=now) == ["background.retry_failed"]
    assert scheduler.enqueue_due(now=now) == []
    settings.TASK_RETRY_MAX = 0
    assert scheduler.enqueue_due(now=now + timedelta(minutes=5)) == []
