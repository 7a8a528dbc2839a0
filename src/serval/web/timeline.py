"""The journal of a work item, shaped for the timeline on its page.

The journal is the audit trail *and* the activity stream (DESIGN.md §1). Requesters never get
internal events (work notes, internal attachments) — the filter is applied in the query here,
not in the template (SECURITY-REFERENCE A4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from serval.core.models import JournalEvent
from serval.people.models import User
from serval.web.history import Change, changes
from serval.work.actions import SUBJECT
from serval.work.models import Attachment, WorkItem

FIELD_LABELS = {
    "title": _("Title"),
    "description": _("Description"),
    "impact": _("Impact"),
    "urgency": _("Urgency"),
    "priority": _("Priority"),
    "caller": _("Caller"),
    "assignment_group": _("Assignment group"),
    "assignee": _("Assignee"),
    "service": _("Service"),
    "configuration_item": _("Configuration item"),
    "category": _("Category"),
    "channel": _("Channel"),
    "parent": _("Parent incident"),
    "due_date": _("Due date"),
    "state": _("State"),
}
ICONS = {
    "created": ("ti-plus", "primary"),
    "updated": ("ti-pencil", "secondary"),
    "transition": ("ti-arrows-right-left", "azure"),
    "comment": ("ti-message", "green"),
    "work_note": ("ti-lock", "yellow"),
    "attachment": ("ti-paperclip", "secondary"),
    "watcher_added": ("ti-eye", "secondary"),
    "watcher_removed": ("ti-eye-off", "secondary"),
    "major_proposed": ("ti-alert-triangle", "orange"),
    "major_accepted": ("ti-urgent", "red"),
    "major_rejected": ("ti-circle-x", "secondary"),
    # Service-level clock events (serval.sla.engine): system entries, drawn quieter.
    "sla_started": ("ti-clock-play", "secondary"),
    "sla_paused": ("ti-player-pause", "secondary"),
    "sla_resumed": ("ti-player-play", "secondary"),
    "sla_warning": ("ti-alert-triangle", "orange"),
    "sla_breached": ("ti-alarm", "red"),
    "sla_met": ("ti-circle-check", "green"),
    "sla_completed": ("ti-circle-x", "red"),
    "sla_cancelled": ("ti-circle-minus", "secondary"),
}
AGREEMENT_LABELS = {"sla": "SLA", "ola": "OLA", "uc": "UC"}


@dataclass
class Entry:
    event: JournalEvent
    verb: str
    icon: str
    colour: str
    changes: list[Change] = field(default_factory=list)
    attachment: Attachment | None = None
    due: datetime | None = None
    agreement: str = ""

    @property
    def quiet(self) -> bool:
        """System entries (SLA clocks) are drawn smaller than what people did."""
        return self.verb.startswith("sla_")

    @property
    def actor(self) -> User | None:
        return self.event.actor

    @property
    def at(self) -> Any:
        return self.event.created_at

    @property
    def data(self) -> dict[str, Any]:
        return self.event.data or {}

    @property
    def internal(self) -> bool:
        return self.event.internal

    @property
    def is_note(self) -> bool:
        return self.verb in ("comment", "work_note")


def _changes(raw: dict[str, Any]) -> list[Change]:
    return changes(raw, FIELD_LABELS)


def timeline(
    item: WorkItem, viewer: User, *, clock_types: dict[int, str] | None = None
) -> list[Entry]:
    """Events oldest first, with attachments resolved in one query.

    `clock_types` (clock id → definition type) saves a query when the page has the clocks."""
    qs = JournalEvent.objects.filter(subject_type=SUBJECT, subject_id=item.pk).select_related(
        "actor"
    )
    if not viewer.is_agent:
        qs = qs.filter(internal=False)
    events = list(qs.order_by("seq"))
    attachment_ids = [e.data.get("attachment") for e in events if e.verb == "attachment" and e.data]
    attachments = {
        a.pk: a
        for a in Attachment.objects.filter(work_item=item, pk__in=[i for i in attachment_ids if i])
    }
    # The journal data of SLA events names the definition but not its type (SLA / OLA / UC).
    clock_ids = [e.data.get("clock") for e in events if e.verb.startswith("sla_") and e.data]
    agreement_of: dict[int, str] = dict(clock_types or {})
    if clock_ids and clock_types is None:
        from serval.sla.models import SlaClock

        agreement_of = dict(
            SlaClock.objects.filter(
                work_item_id=item.pk, pk__in=[i for i in clock_ids if i]
            ).values_list("pk", "definition__type")
        )
    entries = []
    for event in events:
        icon, colour = ICONS.get(event.verb, ("ti-point", "secondary"))
        entry = Entry(event=event, verb=event.verb, icon=icon, colour=colour)
        data = event.data or {}
        if event.verb == "updated":
            entry.changes = _changes(data.get("changes", {}))
        elif event.verb == "transition":
            entry.changes = _changes(data.get("changes", {}))
        elif event.verb == "created":
            entry.changes = [
                c
                for c in _changes({k: [None, v] for k, v in data.get("fields", {}).items()})
                if c.new not in (None, "") and c.field != "title"
            ]
        elif event.verb == "attachment":
            entry.attachment = attachments.get(int(data.get("attachment") or 0))
        elif entry.quiet:
            kind = agreement_of.get(data.get("clock") or 0, "sla" if not event.internal else "")
            entry.agreement = AGREEMENT_LABELS.get(kind, "OLA")
            if data.get("breach_at"):
                try:
                    entry.due = datetime.fromisoformat(data["breach_at"])
                except (TypeError, ValueError):
                    entry.due = None
        entries.append(entry)
    return entries
