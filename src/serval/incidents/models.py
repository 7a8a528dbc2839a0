"""Incident-only data: the priority matrix and the major-incident fields."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from serval.work.models import LEVELS, PRIORITIES, WorkItem


class PriorityRule(models.Model):
    """One cell of the impact × urgency matrix; admins edit it, forms show priority read-only."""

    impact = models.PositiveSmallIntegerField(choices=LEVELS)
    urgency = models.PositiveSmallIntegerField(choices=LEVELS)
    priority = models.PositiveSmallIntegerField(choices=PRIORITIES)

    class Meta:
        ordering = ["impact", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="priority_rule_unique")
        ]

    def __str__(self) -> str:
        return f"I{self.impact} × U{self.urgency} → P{self.priority}"


# DOMAIN.md §2.1 seed; also the fallback if a cell was deleted.
DEFAULT_MATRIX = {
    (1, 1): 1,
    (1, 2): 2,
    (1, 3): 3,
    (2, 1): 2,
    (2, 2): 3,
    (2, 3): 4,
    (3, 1): 3,
    (3, 2): 4,
    (3, 3): 5,
}


class MajorState(models.TextChoices):
    NONE = "", _("Not major")
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class IncidentDetail(models.Model):
    work_item = models.OneToOneField(
        WorkItem, primary_key=True, on_delete=models.PROTECT, related_name="incident"
    )
    major_state = models.CharField(
        max_length=16, choices=MajorState.choices, blank=True, db_index=True
    )
    major_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    major_proposed_at = models.DateTimeField(null=True, blank=True)
    major_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    major_promoted_at = models.DateTimeField(null=True, blank=True)
    business_impact = models.TextField(blank=True, max_length=4000)
    bridge_url = models.URLField(blank=True)

    def __str__(self) -> str:
        return f"incident detail of {self.work_item_id}"
