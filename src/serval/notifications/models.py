"""Per-user notification preferences: one row per switched-off (or back on) event type.

No row means "on" (the default), so a new user hears about everything without any set-up and
the table stays small: it holds only the choices people actually made.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    ASSIGNED = "assigned", _("A work item is assigned to me or my team")
    COMMENTED = "commented", _("Someone comments on a work item I take part in")
    WORK_NOTE = "work_note", _("An agent adds a work note to a work item I take part in")
    RESOLVED = "resolved", _("A work item I take part in is resolved")
    SLA_WARNING = "sla_warning", _("A service level target is at risk (50 % / 75 %)")
    SLA_BREACH = "sla_breach", _("A service level target is missed")
    LIFECYCLE_REMINDER = (
        "lifecycle_reminder",
        _("A warranty, lease, contract or software support I look after is about to end"),
    )
    CHANGE_SCHEDULED = "change_scheduled", _("A change I requested is authorized and scheduled")
    APPROVAL_REQUESTED = (
        "approval_requested",
        _("My approval is requested (for me, or for someone I stand in for)"),
    )
    APPROVAL_DECIDED = "approval_decided", _("Someone approves a change I asked for")
    APPROVAL_REJECTED = "approval_rejected", _("A change I asked for is rejected")


AGENT_ONLY_EVENTS = frozenset(
    {Event.WORK_NOTE, Event.SLA_WARNING, Event.SLA_BREACH, Event.LIFECYCLE_REMINDER}
)


class Preference(models.Model):
    """Whether `user` wants e-mail for `event`; absent means yes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    enabled = models.BooleanField(_("send e-mail"), default=True)

    class Meta:
        ordering = ["user", "event"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notification_pref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event} {'on' if self.enabled else 'off'}"
