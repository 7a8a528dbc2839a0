"""The work item: one table for every kind of ticket, with the common task base of DOMAIN.md §2."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serval.core.models import TenantOwned
from serval.work.lookups import OPEN_INDEX_STATES, StateIn
from serval.work.querysets import AttachmentQuerySet, WorkItemQuerySet


class Kind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    CHANGE = "change", _("Change")
    CHANGE_TASK = "change_task", _("Change task")


KIND_PREFIX = {Kind.INCIDENT: "INC", Kind.CHANGE: "CHG", Kind.CHANGE_TASK: "CTASK"}


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    WALK_UP = "walk_up", _("Walk-up")
    EVENT = "event", _("Monitoring event")
    API = "api", _("API")


LEVELS = [(1, _("1 - High")), (2, _("2 - Medium")), (3, _("3 - Low"))]
PRIORITIES = [
    (1, _("P1 Critical")),
    (2, _("P2 High")),
    (3, _("P3 Moderate")),
    (4, _("P4 Low")),
    (5, _("P5 Planning")),
]


class WorkItem(TenantOwned):
    kind = models.CharField(max_length=16, choices=Kind.choices)
    number = models.CharField(max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=20000)
    state = models.CharField(_("state"), max_length=24)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=LEVELS, default=3)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=LEVELS, default=3)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=PRIORITIES, default=5)
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("caller"),
    )
    organization = models.ForeignKey(
        "people.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    assignment_group = models.ForeignKey(
        "people.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assignment group"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assignee"),
    )
    reassignment_count = models.PositiveIntegerField(default=0)
    reopen_count = models.PositiveIntegerField(default=0)
    # Free references until the services/CMDB issue turns them into foreign keys.
    service = models.CharField(_("service"), max_length=200, blank=True)
    configuration_item = models.CharField(_("configuration item"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.PORTAL
    )
    due_date = models.DateTimeField(_("due date"), null=True, blank=True)
    # Indexed below, only where set (work_parent).
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        db_index=False,
    )
    hold_reason = models.CharField(_("on-hold reason"), max_length=24, blank=True)
    active = models.BooleanField(default=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    close_code = models.CharField(_("resolution code"), max_length=32, blank=True)
    close_notes = models.TextField(_("resolution notes"), blank=True, max_length=20000)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True, max_length=4000)
    watchers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="watching")
    # What lists sort and filter SLAs by, kept by serval.sla.engine in the writing transaction
    # (agents' view: every clock): the next running deadline, and whether an active clock has
    # breached or passed its 75 % warning. Queues read these instead of a subquery per row.
    sla_next_breach_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_flagged = models.BooleanField(null=True, editable=False)  # null: never summarised
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency: every write bumps it; clients send back the version they saw.
    version = models.PositiveIntegerField(default=1)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(
                fields=["tenant", "kind", "state", "-opened_at"], name="work_tenant_state"
            ),
            models.Index(
                fields=["tenant", "kind", "priority", "-opened_at"], name="work_tenant_prio"
            ),
            models.Index(
                fields=["assignment_group", "active", "-opened_at"], name="work_group_active"
            ),
            models.Index(fields=["assignee", "active", "-opened_at"], name="work_assignee_active"),
            models.Index(fields=["caller", "-opened_at"], name="work_caller"),
            models.Index(fields=["organization", "-opened_at"], name="work_org"),
            models.Index(fields=["service"], name="work_service"),
            models.Index(fields=["state", "resolved_at"], name="work_state_resolved"),
            # Lists and search newest first (the API's default order; a common word's matches
            # are found by walking this with the match as a filter, serval.core.search).
            models.Index(fields=["tenant", "kind", "-opened_at", "-id"], name="work_tenant_recent"),
            # The desk's default view: open items of a tenant, newest first, straight off the
            # index instead of sorting every open row (the states are incidents.states'
            # OPEN_STATES, kept in serval.work.lookups: `work` does not depend on a practice).
            models.Index(
                fields=["tenant", "kind", "-opened_at", "-id"],
                condition=models.Q(state__in=OPEN_INDEX_STATES),
                name="work_open_recent",
            ),
            # "At risk" and "next breach" over everything an agent sees (the nav's At risk).
            models.Index(
                fields=["tenant", "kind", "sla_next_breach_at"],
                condition=models.Q(state__in=OPEN_INDEX_STATES),
                name="work_open_next_breach",
            ),
            # Children of an item. Only set rows are indexed: most items have no parent, and a
            # full index of NULLs told SQLite's statistics that `parent_id = ?` matches every
            # row, so it walked the tenant's items instead (5 ms per incident page at 20,000).
            models.Index(
                fields=["parent"], condition=models.Q(parent__isnull=False), name="work_parent"
            ),
            # A team's queue, highest priority first (the agent queue of benchmarks/README.md):
            # without it PostgreSQL intersected the group's rows with all of its tenant's.
            models.Index(
                fields=["assignment_group", "priority", "id"],
                condition=models.Q(state__in=OPEN_INDEX_STATES),
                name="work_group_open_prio",
            ),
            # A team's queue by next breach (the agent queue of issue 6 and the API's
            # `ordering=sla_next_breach_at`): both databases walk it in order, NULLs last.
            models.Index(
                fields=["assignment_group", "sla_next_breach_at", "id"],
                condition=models.Q(state__in=OPEN_INDEX_STATES),
                name="work_group_open_breach",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'


# Open-state filters written so SQLite can use the partial indexes above (serval.work.lookups).
WorkItem._meta.get_field("state").register_lookup(StateIn)


class Attachment(TenantOwned):
    """A file on a work item, stored outside the web root under a generated name."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.PROTECT, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    internal = models.BooleanField(default=False)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.filename


class LinkType(models.TextChoices):
    """How two work items relate; each type reads differently from either side (`LINK_LABELS`)."""

    CAUSED_BY = "caused_by", _("Caused by")
    FIXES = "fixes", _("Fixes")
    IMPLEMENTS = "implements", _("Implements")
    RELATED = "related", _("Related to")


class WorkItemLink(TenantOwned):
    """A typed, directed link between two work items of one tenant, shown on both sides.

    `source` —type→ `target`: an incident is *caused by* a change; a change *fixes* a problem; a
    change *implements* a request. Which kinds each type joins is data (`LINK_KINDS` in
    `serval.work.links`), checked by the link action, not by the table.
    """

    source = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="links_in")
    type = models.CharField(max_length=16, choices=LinkType.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "type"], name="work_link_unique")
        ]
        indexes = [models.Index(fields=["target", "type"], name="work_link_target")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.type} {self.target_id}"
