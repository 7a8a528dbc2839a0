"""Retrying failed tasks: automatically with back-off, or at an administrator's request.

Serval's tasks are idempotent (DESIGN.md §2 rule 4), so running a failed one again with the
same arguments is safe. The periodic job `background.retry_failed` (every
`SERVAL_TASK_RETRY_INTERVAL` seconds, once per due time however many workers run) does:

1. start a `TaskRetry` chain for every recent failure that belongs to none;
2. for every chain whose latest run failed: give up after `SERVAL_TASK_RETRY_MAX` retries,
   otherwise re-enqueue once `finished_at + SERVAL_TASK_RETRY_BASE × 2^retries` has passed.

Each chain row is locked (`SKIP LOCKED`) while it is advanced, and `latest` is unique, so one
failed run is re-enqueued at most once, even with an administrator pressing "retry" meanwhile.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from serval.background.models import RetriedRun, TaskRetry
from serval.core.errors import ValidationFailed

logger = logging.getLogger("serval.background")
FAILED = "FAILED"
LOOK_BACK = timedelta(days=7)
MAX_BACKOFF = timedelta(hours=6)
BATCH = 500


def backoff(retries: int) -> timedelta:
    """Wait before retry number `retries + 1`: BASE, 2×BASE, 4×BASE, … capped at six hours."""
    base = max(1, int(settings.TASK_RETRY_BASE))
    return min(timedelta(seconds=base * 2 ** min(retries, 30)), MAX_BACKOFF)


def reenqueue(result: DBTaskResult) -> Any:
    """Enqueue the task of `result` again with the same arguments, queue and priority."""
    task = import_string(result.task_path)
    if not isinstance(task, Task):
        raise ValidationFailed({"task": _("This is not a task.")})
    args = result.args_kwargs or {}
    return task.using(
        priority=result.priority, queue_name=result.queue_name, backend=result.backend_name
    ).enqueue(*args.get("args", []), **args.get("kwargs", {}))


def _start_chains(now: datetime) -> None:
    in_chain = TaskRetry.objects.filter(Q(original=OuterRef("pk")) | Q(latest=OuterRef("pk")))
    retried = RetriedRun.objects.filter(Q(run=OuterRef("pk")) | Q(retried_as=OuterRef("pk")))
    fresh = (
        DBTaskResult.objects.filter(status=FAILED, finished_at__gte=now - LOOK_BACK)
        .exclude(Exists(in_chain))
        .exclude(Exists(retried))
        .order_by("finished_at")
        .values_list("pk", "task_path")[:BATCH]
    )
    for pk, task_path in fresh:
        try:
            with transaction.atomic():
                TaskRetry.objects.create(original=pk, latest=pk, task_path=task_path)
        except IntegrityError:
            continue  # another worker, or an administrator, started it first


def retry_failed(*, now: datetime | None = None) -> int:
    """One pass of automatic retries; returns how many tasks were re-enqueued."""
    now = now or timezone.now()
    limit = int(settings.TASK_RETRY_MAX)
    if limit <= 0:
        return 0
    _start_chains(now)
    latest_failed = DBTaskResult.objects.filter(pk=OuterRef("latest"), status=FAILED)
    chains = list(
        TaskRetry.objects.filter(gave_up=False)
        .filter(Exists(latest_failed))
        .values_list("pk", flat=True)[:BATCH]
    )
    enqueued = 0
    for chain_id in chains:
        with transaction.atomic():
            chain = (
                TaskRetry.objects.select_for_update(skip_locked=True)
                .filter(pk=chain_id, gave_up=False)
                .first()
            )
            if chain is None:
                continue
            latest = DBTaskResult.objects.filter(pk=chain.latest, status=FAILED).first()
            if latest is None:
                continue
            if chain.attempts >= limit:
                chain.gave_up, chain.next_at = True, None
                chain.save(update_fields=["gave_up", "next_at", "updated_at"])
                logger.warning("giving up on task %s after %s retries", latest.pk, limit)
                continue
            due = (latest.finished_at or now) + backoff(chain.attempts)
            if due > now:
                if chain.next_at != due:
                    chain.next_at = due
                    chain.save(update_fields=["next_at", "updated_at"])
                continue
            try:
                result = reenqueue(latest)
            except (ImportError, ValidationFailed):
                chain.gave_up, chain.next_at = True, None
                chain.save(update_fields=["gave_up", "next_at", "updated_at"])
                continue
            RetriedRun.objects.create(run=latest.pk, chain=chain, retried_as=result.id)
            chain.latest, chain.attempts, chain.next_at = result.id, chain.attempts + 1, None
            chain.save(update_fields=["latest", "attempts", "next_at", "updated_at"])
            enqueued += 1
            logger.info("retry %s of task %s as %s", chain.attempts, latest.pk, result.id)
    return enqueued


def retry_now(result_id: Any) -> Any:
    """Re-enqueue one failed task at once (the admin page's button); refuses a second retry.

    A failed run can be retried only while it is the newest run of its chain, so pressing the
    button twice, or together with the automatic job, still enqueues it once.
    """
    try:
        with transaction.atomic():
            result = DBTaskResult.objects.select_for_update().filter(pk=result_id).first()
            if result is None:
                raise ValidationFailed({"task": _("Unknown task.")})
            if result.status != FAILED:
                raise ValidationFailed({"task": _("Only failed tasks can be retried.")})
            chain = (
                TaskRetry.objects.select_for_update()
                .filter(Q(original=result.pk) | Q(latest=result.pk))
                .first()
            )
            if RetriedRun.objects.filter(run=result.pk).exists() or (
                chain is not None and chain.latest != result.pk
            ):
                raise ValidationFailed({"task": _("This task has been retried already.")})
            try:
                new = reenqueue(result)
            except ImportError:
                raise ValidationFailed({"task": _("This task no longer exists.")}) from None
            if chain is None:
                chain = TaskRetry.objects.create(
                    original=result.pk, latest=new.id, task_path=result.task_path
                )
            else:
                chain.latest, chain.gave_up, chain.next_at = new.id, False, None
                chain.save(update_fields=["latest", "gave_up", "next_at", "updated_at"])
            RetriedRun.objects.create(run=result.pk, chain=chain, retried_as=new.id)
    except IntegrityError:
        raise ValidationFailed({"task": _("This task has been retried already.")}) from None
    return new
