"""Service level management: business calendars, SLA definitions and per-item clocks.

DOMAIN.md §2.5. Calendars and definitions are tenant-owned reference data (optionally shared
down the tenant tree); clocks belong to one work item and one definition, one row per cycle.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serval.core.models import TenantOwned
from serval.sla import calendars


class BusinessCalendar(TenantOwned):
    """Working intervals per weekday in a time zone, minus holidays and custom closed dates."""

    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # {"mon": [["08:00", "12:00"], ["13:00", "17:00"]], …}; validated by the actions.
    week = models.JSONField(_("working hours"), default=dict)
    country = models.CharField(_("holiday country"), max_length=8, blank=True)
    subdivision = models.CharField(_("holiday region"), max_length=16, blank=True)
    shared = models.BooleanField(_("shared with sub-tenants"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="sla_calendar_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def spec(self, *, time_zone: str | None = None) -> calendars.CalendarSpec:
        """The pure description the arithmetic works on (optionally in another zone)."""
        one_off: set[date] = set()
        yearly: set[tuple[int, int]] = set()
        for day, recurring in self.closed_dates.values_list("date", "yearly"):
            (yearly.add((day.month, day.day)) if recurring else one_off.add(day))
        return calendars.CalendarSpec(
            time_zone=time_zone or self.time_zone,
            week=calendars.week_from_json(self.week),
            country=self.country,
            subdivision=self.subdivision,
            dates=frozenset(one_off),
            yearly=frozenset(yearly),
        )


class ClosedDate(models.Model):
    """A custom non-working date: once, or every year on the same day."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="closed_dates"
    )
    date = models.DateField(_("date"))
    yearly = models.BooleanField(_("every year"), default=False)
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="sla_closed_date_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class AgreementType(models.TextChoices):
    SLA = "sla", _("SLA (customer)")
    OLA = "ola", _("OLA (internal team)")
    UC = "uc", _("Underpinning contract (supplier)")


class Target(models.TextChoices):
    RESPONSE = "response", _("Response")
    RESOLUTION = "resolution", _("Resolution")


class TimeZoneSource(models.TextChoices):
    DEFINITION = "definition", _("The calendar's time zone")
    CALLER = "caller", _("The caller's time zone")


class SlaDefinition(TenantOwned):
    """What is promised, on which calendar, and when a clock starts, pauses, stops or is reset.

    `conditions` holds declarative filters over work item fields, e.g.
    {"start": [{"field": "priority", "op": "eq", "value": 1}], "pause": [...], ...};
    see `serval.sla.conditions` for the allow-list. Clauses in one list are ANDed; an empty list
    never matches (except for `start`, where it matches every item).
    """

    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(
        _("type"), max_length=8, choices=AgreementType.choices, default=AgreementType.SLA
    )
    target = models.CharField(_("target"), max_length=16, choices=Target.choices)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"))
    calendar = models.ForeignKey(
        BusinessCalendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="definitions",
        verbose_name=_("calendar"),
        help_text=_("Empty means 24×7."),
    )
    time_zone_source = models.CharField(
        max_length=16, choices=TimeZoneSource.choices, default=TimeZoneSource.DEFINITION
    )
    conditions = models.JSONField(default=dict)
    # Start at the item's opening time (first cycle only), e.g. after a priority change.
    retroactive_start = models.BooleanField(default=True)
    # Escalation rules, e.g. [{"at": 75, "action": "reassign", "team": 3},
    # {"at": 100, "action": "notify_manager"}]; see `serval.sla.escalation`.
    escalation = models.JSONField(_("escalation"), default=list, blank=True)
    active = models.BooleanField(default=True)
    shared = models.BooleanField(_("shared with sub-tenants"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["target", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="sla_definition_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STAGES = (Stage.IN_PROGRESS, Stage.PAUSED)
WARNING_LEVELS = (50, 75, 100)


class SlaClock(TenantOwned):
    """One cycle of one definition on one work item (DOMAIN.md §2.5 "Task SLA instance").

    Stored figures (elapsed, business elapsed, percent) are as of `updated_at` or the stop time;
    `figures(now)` gives live values. `next_check_at` is the instant of the next warning level
    still to fire, so the sweep reads due clocks straight off the (stage, next_check_at) index.
    """

    work_item = models.ForeignKey(
        "work.WorkItem", on_delete=models.CASCADE, related_name="sla_clocks"
    )
    definition = models.ForeignKey(SlaDefinition, on_delete=models.PROTECT, related_name="clocks")
    cycle = models.PositiveIntegerField(default=1)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.IN_PROGRESS)
    has_breached = models.BooleanField(default=False)
    start_at = models.DateTimeField()
    stop_at = models.DateTimeField(null=True, blank=True)
    breach_at = models.DateTimeField()
    original_breach_at = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_seconds = models.PositiveIntegerField(default=0)
    business_pause_seconds = models.PositiveIntegerField(default=0)
    elapsed_seconds = models.PositiveIntegerField(default=0)
    business_elapsed_seconds = models.PositiveIntegerField(default=0)
    elapsed_percent = models.FloatField(default=0)
    business_elapsed_percent = models.FloatField(default=0)
    duration_seconds = models.PositiveIntegerField()
    time_zone = models.CharField(max_length=64, default="UTC")
    warned_level = models.PositiveSmallIntegerField(default=0)
    next_check_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["work_item", "definition", "cycle"]
        constraints = [
            models.UniqueConstraint(
                fields=["work_item", "definition", "cycle"], name="sla_clock_cycle_unique"
            )
        ]
        indexes = [
            models.Index(fields=["stage", "next_check_at"], name="sla_clock_due"),
            models.Index(fields=["stage", "breach_at"], name="sla_clock_next_breach"),
            # An item's clocks by stage, and its next deadline (the queue's next-breach sort
            # reads the first running breach_at per item straight off this index).
            models.Index(fields=["work_item", "stage", "breach_at"], name="sla_clock_item_breach"),
            models.Index(fields=["definition", "start_at"], name="sla_clock_def_start"),
        ]

    def __str__(self) -> str:
        return f"{self.definition_id} on {self.work_item_id} #{self.cycle} {self.stage}"

    @property
    def active(self) -> bool:
        return self.stage in ACTIVE_STAGES

    def status(self, now: datetime | None = None) -> str:
        """ok / warning / breached / paused / met / cancelled — the colour the UI shows."""
        now = now or timezone.now()
        if self.stage == Stage.CANCELLED:
            return "cancelled"
        if self.stage == Stage.COMPLETED:
            return "breached" if self.has_breached else "met"
        if self.has_breached or (self.stage == Stage.IN_PROGRESS and now >= self.breach_at):
            return "breached"
        if self.stage == Stage.PAUSED:
            return "paused"
        return "warning" if self.warned_level >= 75 else "ok"


class Notification(models.Model):
    """One e-mail sent (or skipped) for one event, so retries never mail twice."""

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.EmailField()
    subject = models.CharField(max_length=300)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.key
