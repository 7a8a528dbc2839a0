"""The periodic job that retries failed tasks with back-off (see `serval.background.retry`)."""

from __future__ import annotations

from django.conf import settings
from django.tasks import task

from serval.core.scheduler import Periodic


@task()
def retry_failed_tasks() -> int:
    """Re-enqueue failed tasks whose back-off has passed; returns how many."""
    from serval.background.retry import retry_failed

    return retry_failed()


SCHEDULE = [
    Periodic(
        name="background.retry_failed",
        task=retry_failed_tasks,
        every=lambda: settings.TASK_RETRY_INTERVAL,
        enabled=lambda: settings.TASK_RETRY_MAX > 0,
    ),
]
