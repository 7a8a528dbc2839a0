"""Tenants, per-kind number sequences and the append-only journal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Tenant(models.Model):
    """A node in the tenant tree; `path` ("/1/4/9/") makes subtree and ancestor checks one query.

    A managed service provider runs one tenant per customer under its own; a single company has
    one tenant and never sees the concept.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=500, db_index=True, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        prefix = self.parent.path if self.parent_id and self.parent else "/"
        path = f"{prefix}{self.pk}/"
        if path != self.path:
            self.path = path
            Tenant.objects.filter(pk=self.pk).update(path=path)

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this tenant's parent."""
        return [int(p) for p in self.path.strip("/").split("/")[:-1] if p]


class TenantOwned(models.Model):
    """Every record carries its tenant; actions check that linked records are within reach."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class Sequence(models.Model):
    """Counter row per kind; incremented under a row lock so numbers never repeat or race."""

    name = models.CharField(max_length=32, primary_key=True)
    value = models.BigIntegerField(default=1000)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class JournalEvent(models.Model):
    """One thing that happened, to one subject, by one actor; never updated, never deleted.

    `hash` = SHA-256(prev_hash ‖ canonical JSON of the event), chained per subject, so editing or
    removing a row breaks the chain and `serval verify-journal` finds it. Database triggers
    (see migration 0002) refuse UPDATE and DELETE outright.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    subject_type = models.CharField(max_length=32)
    subject_id = models.BigIntegerField()
    seq = models.PositiveIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verb = models.CharField(max_length=32)
    data = models.JSONField(default=dict)
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["subject_type", "subject_id", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "seq"], name="journal_seq_unique"
            )
        ]
        indexes = [models.Index(fields=["tenant", "created_at"], name="journal_tenant_time")]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id}#{self.seq} {self.verb}"


class ScheduledRun(models.Model):
    """One due time of one periodic job, claimed by the first worker to insert it.

    The unique (job, due_at) row is written in the same transaction as the enqueued task, so
    however many `serval worker` processes tick at once, each due time is enqueued once.
    """

    job = models.CharField(max_length=100)
    due_at = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(fields=["job", "due_at"], name="scheduled_run_unique")
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.due_at.isoformat()}"
