"""Change enablement data (DOMAIN.md §2.3): the change's own fields, standard-change templates,
the risk questionnaire and policy, maintenance and blackout windows, detected conflicts and the
post-implementation review.

A change is a `WorkItem` of kind "change" (title = short description, caller = requester,
close_code = the outcome); what only a change has lives in `ChangeDetail`, one row per change.
Change tasks are work items of kind "change_task" whose `parent` is the change.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serval.core.models import TenantOwned
from serval.work.models import WorkItem


class ChangeType(models.TextChoices):
    STANDARD = "standard", _("Standard")
    NORMAL = "normal", _("Normal")
    EMERGENCY = "emergency", _("Emergency")


class Risk(models.TextChoices):
    """Ordered low → very high; `RISK_ORDER` gives the rank, "highest wins" compares ranks."""

    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    HIGH = "high", _("High")
    VERY_HIGH = "very_high", _("Very high")


RISK_ORDER = {Risk.LOW: 1, Risk.MODERATE: 2, Risk.HIGH: 3, Risk.VERY_HIGH: 4}


class CloseCode(models.TextChoices):
    """The outcome of an implemented change (ServiceNow's close codes [28])."""

    SUCCESSFUL = "successful", _("Successful")
    SUCCESSFUL_WITH_ISSUES = "successful_issues", _("Successful with issues")
    UNSUCCESSFUL = "unsuccessful", _("Unsuccessful")


class ConflictStatus(models.TextChoices):
    UNCHECKED = "unchecked", _("Not checked")
    CLEAR = "clear", _("No conflicts")
    CONFLICTS = "conflicts", _("Conflicts")


class ChangeTemplate(TenantOwned):
    """A standard-change model: a pre-authorized, documented procedure (DOMAIN.md §2.3).

    Creating a change from an active, approved template makes a standard change with these
    plans and tasks, which skips authorization. `tasks` is a list of
    {"title", "description", "assignment_group" (team id or null)}.
    """

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=20000)
    category = models.CharField(_("category"), max_length=100, blank=True)
    title = models.CharField(_("short description"), max_length=200)
    justification = models.TextField(_("justification"), blank=True, max_length=20000)
    implementation_plan = models.TextField(_("implementation plan"), max_length=20000)
    backout_plan = models.TextField(_("backout plan"), max_length=20000)
    test_plan = models.TextField(_("test plan"), blank=True, max_length=20000)
    impact = models.PositiveSmallIntegerField(_("impact"), default=3)
    urgency = models.PositiveSmallIntegerField(_("urgency"), default=3)
    assignment_group = models.ForeignKey(
        "people.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assignment group"),
    )
    tasks = models.JSONField(_("tasks"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    shared = models.BooleanField(_("shared with sub-tenants"), default=False)
    # Pre-authorization: the template itself was approved by a change authority.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="change_template_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def usable(self) -> bool:
        return self.active and self.approved_at is not None


class ChangeDetail(models.Model):
    """What only a change has; one row per change work item."""

    work_item = models.OneToOneField(
        WorkItem, primary_key=True, on_delete=models.PROTECT, related_name="change"
    )
    change_type = models.CharField(
        _("type"), max_length=16, choices=ChangeType.choices, default=ChangeType.NORMAL
    )
    template = models.ForeignKey(
        ChangeTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
        verbose_name=_("template"),
    )
    justification = models.TextField(_("justification"), blank=True, max_length=20000)
    implementation_plan = models.TextField(_("implementation plan"), blank=True, max_length=20000)
    backout_plan = models.TextField(_("backout plan"), blank=True, max_length=20000)
    test_plan = models.TextField(_("test plan"), blank=True, max_length=20000)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    cab_date = models.DateTimeField(_("CAB date"), null=True, blank=True)
    # Risk: stored result of serval.changes.risk (both methods, highest wins, with reasons).
    risk = models.CharField(_("risk"), max_length=16, choices=Risk.choices, default=Risk.LOW)
    risk_reasons = models.JSONField(default=list, blank=True)
    risk_score = models.PositiveSmallIntegerField(_("questionnaire score"), null=True, blank=True)
    risk_assessed_at = models.DateTimeField(null=True, blank=True)
    # Conflicts: status of the last detection (serval.changes.conflicts) and an override.
    conflict_status = models.CharField(
        _("conflict status"),
        max_length=16,
        choices=ConflictStatus.choices,
        default=ConflictStatus.UNCHECKED,
    )
    conflicts_checked_at = models.DateTimeField(null=True, blank=True)
    conflict_override_reason = models.TextField(blank=True, max_length=4000)
    conflict_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    conflict_override_at = models.DateTimeField(null=True, blank=True)
    # The conflict keys the override covered; a conflict not in it needs a new override.
    conflict_override_keys = models.JSONField(default=list, blank=True)
    # Approval rounds started so far (serval.approvals); a resubmission starts round n + 1.
    approval_round = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["planned_start", "planned_end"], name="change_planned"),
            models.Index(fields=["change_type", "risk"], name="change_type_risk"),
            models.Index(fields=["risk"], name="change_risk"),
            models.Index(fields=["template"], name="change_template"),
            # The change list and the API filter by it (STYLE: index every filter offered).
            models.Index(fields=["conflict_status"], name="change_conflict_status"),
        ]

    def __str__(self) -> str:
        return f"change detail of {self.work_item_id}"


# --- risk ---------------------------------------------------------------------------------


class ChangePolicy(models.Model):
    """Install-wide change policy: questionnaire thresholds and the rule calculator's limits.

    One row (pk=1), seeded from DOMAIN.md §2.3; administrators edit it. A questionnaire total
    at or above `moderate_from` is Moderate, and so on up; below it is Low.
    """

    moderate_from = models.PositiveSmallIntegerField(default=13)
    high_from = models.PositiveSmallIntegerField(default=19)
    very_high_from = models.PositiveSmallIntegerField(default=25)
    # A normal change planned to start sooner than this after it is raised is "short notice".
    lead_time_hours = models.PositiveIntegerField(default=72)
    # Unsuccessful changes on the same CIs within this many days raise the risk.
    recent_failure_days = models.PositiveIntegerField(default=90)
    # Impacting at least this many services raises the risk.
    many_services = models.PositiveSmallIntegerField(default=3)
    # The outcome reports: does "Successful with issues" count as a success (DOMAIN.md §2.12
    # "Successful (+ with issues, if policy)")? Serval's default says yes.
    success_includes_issues = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return "change policy"


class RiskQuestion(models.Model):
    """One questionnaire question; its weight multiplies the chosen option's score."""

    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency for the questionnaire admin (the options are edited with it).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class RiskOption(models.Model):
    question = models.ForeignKey(RiskQuestion, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("answer"), max_length=200)
    score = models.PositiveSmallIntegerField(_("score"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.label} ({self.score})"


class RiskAnswer(models.Model):
    """A change's answer to one question (the option chosen)."""

    change = models.ForeignKey(ChangeDetail, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(RiskQuestion, on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(RiskOption, on_delete=models.CASCADE, related_name="+")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["change", "question"], name="risk_answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.change_id}: {self.option_id}"


# --- schedule: maintenance and blackout windows, conflicts ---------------------------------


class WindowKind(models.TextChoices):
    MAINTENANCE = "maintenance", _("Maintenance window")
    BLACKOUT = "blackout", _("Blackout (freeze) window")


class ChangeWindow(TenantOwned):
    """When changes should run (maintenance) or must not run (blackout), DOMAIN.md §2.3.

    One-off (`rrule` empty: `starts_at`–`ends_at`) or recurring (an RFC 5545 RRULE expanded in
    `time_zone`, each occurrence lasting `ends_at − starts_at`). Scoped globally or to services,
    CI classes, CIs or teams; a window applies to a CI when any scope matches it.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=WindowKind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    rrule = models.CharField(_("recurrence (RRULE)"), max_length=500, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    is_global = models.BooleanField(_("applies everywhere"), default=False)
    services = models.ManyToManyField("services.Service", blank=True, related_name="+")
    ci_classes = models.ManyToManyField("cmdb.CIClass", blank=True, related_name="+")
    cis = models.ManyToManyField("cmdb.CI", blank=True, related_name="change_windows")
    teams = models.ManyToManyField("people.Team", blank=True, related_name="+")
    # Blackouts stop normal and standard changes; emergencies may run unless this is off.
    exempt_emergency = models.BooleanField(_("emergency changes may run"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["tenant", "kind", "active"], name="change_window_kind"),
            models.Index(fields=["starts_at", "ends_at"], name="change_window_span"),
        ]

    def __str__(self) -> str:
        return self.name


class ConflictRule(models.TextChoices):
    """The seven rules of DOMAIN.md §2.3 conflict detection [35]."""

    CI_SCHEDULED = "ci_scheduled", _("The CI is already scheduled in an overlapping change")
    RELATED_SCHEDULED = (
        "related_scheduled",
        _("A parent or child of the CI is scheduled in an overlapping change"),
    )
    CI_OUTSIDE_MAINTENANCE = (
        "ci_outside_maintenance",
        _("The CI is outside its maintenance window"),
    )
    RELATED_OUTSIDE_MAINTENANCE = (
        "related_outside_maintenance",
        _("A parent or child of the CI is outside its maintenance window"),
    )
    CI_BLACKOUT = "ci_blackout", _("The CI is in a blackout window")
    RELATED_BLACKOUT = "related_blackout", _("A parent or child of the CI is in a blackout window")
    ASSIGNEE_BUSY = "assignee_busy", _("The assignee is already scheduled on another change")


class ChangeConflict(TenantOwned):
    """One detected conflict of a change, kept until the next detection rewrites the set."""

    change = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="conflicts")
    rule = models.CharField(max_length=32, choices=ConflictRule.choices)
    ci = models.ForeignKey(
        "cmdb.CI", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # For the parent/child rules: the related CI that clashes (ci is the change's own CI).
    related_ci = models.ForeignKey(
        "cmdb.CI", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    other_change = models.ForeignKey(
        WorkItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    window = models.ForeignKey(
        ChangeWindow, null=True, blank=True, on_delete=models.CASCADE, related_name="conflicts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The overlapping span, for the explanation and the calendar highlight.
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    detected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rule", "pk"]
        indexes = [
            models.Index(fields=["change", "rule"], name="change_conflict_change"),
            models.Index(fields=["other_change"], name="change_conflict_other"),
        ]

    def __str__(self) -> str:
        return f"{self.change_id} {self.rule}"

    @property
    def key(self) -> str:
        """Identity of the conflict (not of the row), for overrides that cover a set."""
        parts = (self.rule, self.ci_id, self.related_ci_id, self.other_change_id, self.window_id)
        return ":".join("" if p is None else str(p) for p in (*parts, self.user_id))


def _feed_salt() -> str:
    return secrets.token_urlsafe(18)


class CalendarFeed(models.Model):
    """A person's secret iCalendar feed URL: an HMAC of this salt, so rotating it revokes it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="change_feed"
    )
    salt = models.CharField(max_length=64, default=_feed_salt)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"


# --- review --------------------------------------------------------------------------------


class ChangeReview(models.Model):
    """The post-implementation review, written in the Review state (DOMAIN.md §2.3 PIR)."""

    change = models.OneToOneField(
        ChangeDetail, primary_key=True, on_delete=models.CASCADE, related_name="review"
    )
    objectives_met = models.BooleanField(_("objectives met"), null=True)
    backout_executed = models.BooleanField(_("backout executed"), null=True)
    incidents_caused = models.PositiveIntegerField(_("incidents caused"), default=0)
    lessons = models.TextField(_("lessons learned"), blank=True, max_length=20000)
    follow_ups = models.TextField(_("follow-ups"), blank=True, max_length=20000)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"review of {self.change_id}"
