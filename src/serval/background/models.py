"""Automatic retries of failed tasks: one row per chain of attempts of one original task.

django-tasks-db runs each queued task once and records a failure with its traceback; it has no
retry of its own. `serval.background.retry` re-enqueues a failed task with the same arguments,
with exponential back-off, up to `SERVAL_TASK_RETRY_MAX` times. A chain starts at the first
failed run (`original`, unique) and follows the most recent run (`latest`, unique), so a run is
retried at most once however many workers look at it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskRetry(models.Model):
    original = models.UUIDField(_("first run"), unique=True)
    latest = models.UUIDField(_("latest run"), unique=True)
    task_path = models.TextField(_("task"))
    attempts = models.PositiveIntegerField(_("retries so far"), default=0)
    next_at = models.DateTimeField(_("next retry"), null=True, blank=True)
    gave_up = models.BooleanField(_("gave up"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["gave_up", "next_at"], name="background_retry_due")]

    def __str__(self) -> str:
        return f"{self.task_path} {self.original} ×{self.attempts}"


class RetriedRun(models.Model):
    """A failed run that has been re-enqueued: unique, so no run is ever retried twice."""

    run = models.UUIDField(_("failed run"), unique=True)
    chain = models.ForeignKey(TaskRetry, on_delete=models.CASCADE, related_name="retried_runs")
    retried_as = models.UUIDField(_("new run"), unique=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.run} → {self.retried_as}"
