"""The journal of a work item, shaped for the timeline on its page.

The journal is the audit trail *and* the activity stream (DESIGN.md §1). Requesters never get
internal events (work notes, internal attachments) — the filter is applied in the query here,
not in the template (SECURITY-REFERENCE A4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _

from serval.core import rawrows
from serval.core.models import JournalEvent
from serval.core.rawrows import RowReader, column, select_list, table
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
    # changes (DOMAIN.md §2.3)
    "change_type": _("Type"),
    "justification": _("Justification"),
    "implementation_plan": _("Implementation plan"),
    "backout_plan": _("Backout plan"),
    "test_plan": _("Test plan"),
    "planned_start": _("Planned start"),
    "planned_end": _("Planned end"),
    "actual_start": _("Actual start"),
    "actual_end": _("Actual end"),
    "cab_date": _("CAB date"),
    "risk": _("Risk"),
    "close_code": _("Close code"),
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
    # Changes, their tasks, approvals, links (serval.changes, serval.approvals, serval.work.links)
    "risk_assessed": ("ti-gauge", "orange"),
    "risk_answered": ("ti-list-check", "secondary"),
    "approval_requested": ("ti-user-question", "azure"),
    "approved": ("ti-thumb-up", "green"),
    "rejected": ("ti-thumb-down", "red"),
    "approvals_cancelled": ("ti-circle-minus", "secondary"),
    "conflicts_overridden": ("ti-alert-octagon", "orange"),
    "schedule_blocked": ("ti-calendar-x", "orange"),
    "task_added": ("ti-subtask", "secondary"),
    "task_closed": ("ti-checkbox", "green"),
    "ci_linked": ("ti-topology-star-3", "secondary"),
    "ci_unlinked": ("ti-topology-star-3", "secondary"),
    "service_linked": ("ti-stack-2", "secondary"),
    "service_unlinked": ("ti-stack-2", "secondary"),
    "linked": ("ti-link", "secondary"),
    "unlinked": ("ti-unlink", "secondary"),
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
KIND_NOUNS = {
    "incident": _("the incident"),
    "change": _("the change"),
    "change_task": _("the change task"),
}


def _label(table: dict[str, Any], key: Any) -> str:
    return str(table.get(key, key or ""))


def describe(verb: str, data: dict[str, Any], kind: str = "incident") -> str:
    """What happened, as the timeline reads it after the actor's name ("approved the CAB
    step"). Verbs without a sentence here fall back to their words."""
    from serval.changes.models import Risk
    from serval.changes.states import CHANGE_TASK, NORMAL

    risks = dict(Risk.choices)
    states = {k: s.label for k, s in NORMAL.states.items()}
    if kind == "change_task":
        states = {k: s.label for k, s in CHANGE_TASK.states.items()}
    noun = str(KIND_NOUNS.get(kind, _("the item")))
    step = data.get("step") or data.get("label") or ""
    if verb == "created":
        return str(_("created %(noun)s")) % {"noun": noun}
    if verb == "transition" and kind != "incident":
        return str(_("moved it from %(a)s to %(b)s")) % {
            "a": _label(states, data.get("from")),
            "b": _label(states, data.get("to")),
        }
    if verb == "risk_assessed":
        return str(_("risk changed from %(a)s to %(b)s")) % {
            "a": _label(risks, data.get("from")),
            "b": _label(risks, data.get("to")),
        }
    if verb == "risk_answered":
        return str(_("answered the risk questionnaire"))
    if verb == "approval_requested":
        people = ", ".join(data.get("approvers") or []) or str(_("nobody yet"))
        return str(_("asked %(who)s to approve (%(step)s)")) % {"who": people, "step": step}
    if verb in ("approved", "rejected"):
        text = (
            _("approved the step %(step)s")
            if verb == "approved"
            else _("rejected the step %(step)s")
        )
        out = str(text) % {"step": step}
        if data.get("on_behalf_of"):
            out += " " + str(_("on behalf of %(who)s")) % {"who": data["on_behalf_of"]}
        if data.get("board"):
            out += " " + str(_("for %(board)s")) % {"board": data["board"]}
        return out
    if verb == "approvals_cancelled":
        return str(_("cancelled the open approvals of round %(n)s")) % {"n": data.get("round", "")}
    if verb == "conflicts_overridden":
        return str(_("scheduled it despite %(n)d conflicts")) % {
            "n": len(data.get("conflicts") or [])
        }
    if verb == "schedule_blocked":
        if data.get("reason") == "conflicts":
            return str(_("could not schedule it: %(n)s unresolved conflicts")) % {
                "n": data.get("count", "")
            }
        labels = [str(FIELD_LABELS.get(f, f)) for f in data.get("fields") or []]
        return str(_("could not move it on: missing %(fields)s")) % {"fields": ", ".join(labels)}
    if verb == "task_added":
        return str(_("added the task %(number)s")) % {"number": data.get("task", "")}
    if verb == "task_closed":
        return str(_("closed the task %(number)s (%(state)s)")) % {
            "number": data.get("task", ""),
            "state": _label({k: s.label for k, s in CHANGE_TASK.states.items()}, data.get("state")),
        }
    if verb in ("ci_linked", "ci_unlinked", "service_linked", "service_unlinked"):
        texts = {
            "ci_linked": _("linked the CI %(name)s"),
            "ci_unlinked": _("unlinked the CI %(name)s"),
            "service_linked": _("linked the service %(name)s"),
            "service_unlinked": _("unlinked the service %(name)s"),
        }
        return str(texts[verb]) % {"name": data.get("name", "")}
    if verb in ("linked", "unlinked"):
        text = (
            _("linked it: %(label)s %(number)s")
            if verb == "linked"
            else _("removed the link: %(label)s %(number)s")
        )
        return str(text) % {"label": data.get("label", ""), "number": data.get("number", "")}
    if verb == "comment":
        return str(_("commented"))
    if verb == "work_note":
        return str(_("added a work note"))
    if verb == "attachment":
        return str(_("attached a file"))
    if verb == "updated":
        return str(_("changed"))
    if verb == "watcher_added":
        return str(_("added %(who)s as a watcher")) % {"who": data.get("user", "")}
    if verb == "watcher_removed":
        return str(_("removed %(who)s from the watchers")) % {"who": data.get("user", "")}
    return verb.replace("_", " ")


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
    kind: str = "incident"

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
    def what(self) -> str:
        """The sentence after the actor's name (kind-aware; see `describe`)."""
        return describe(self.verb, self.data, self.kind)

    @property
    def is_note(self) -> bool:
        return self.verb in ("comment", "work_note")


# Where a kind names a common field differently (a change's caller is its requester).
KIND_LABELS = {
    "change": {"caller": _("Requester"), "title": _("Short description")},
    "change_task": {"parent": _("Change")},
}


def _changes(raw: dict[str, Any], kind: str = "incident") -> list[Change]:
    return changes(raw, {**FIELD_LABELS, **KIND_LABELS.get(kind, {})})


@cache
def _events_sql(
    vendor: str, *, agent: bool
) -> tuple[str, RowReader[JournalEvent], RowReader[User]]:
    """An item's journal, oldest first, with each event's actor: written once per process
    (`vendor` keys it; quoting differs), with its row readers. The queryset it replaces cost
    ~0.4 ms of compiling on every view of an item's page (issue 6). Only names from the
    models' metadata go into the text."""
    kind, subject, seq, actor, internal = (
        column(JournalEvent, n) for n in ("subject_type", "subject_id", "seq", "actor", "internal")
    )
    sql = (
        f"SELECT {select_list(JournalEvent, 'e')}, {select_list(User, 'u')} "  # noqa: S608
        f"FROM {table(JournalEvent)} e LEFT JOIN {table(User)} u ON u.{column(User, 'id')} = "
        f"e.{actor} WHERE e.{kind} = %s AND e.{subject} = %s"
        f"{'' if agent else f' AND NOT e.{internal}'} ORDER BY e.{seq}"
    )
    return sql, RowReader(JournalEvent), RowReader(User)


def _events(item_pk: int, *, agent: bool) -> list[JournalEvent]:
    """The item's events with their actors attached (`select_related`'s result); internal
    notes and system events only for agents."""
    sql, events, people = _events_sql(connection.vendor, agent=agent)
    out = []
    for row in rawrows.rows(sql, [SUBJECT, item_pk]):
        event = events(row)
        event.actor = people(row, events.width) if row[events.width] is not None else None
        out.append(event)
    return out


def timeline(
    item: WorkItem, viewer: User, *, clock_types: dict[int, str] | None = None
) -> list[Entry]:
    """Events oldest first, with attachments resolved in one query.

    `clock_types` (clock id → definition type) saves a query when the page has the clocks."""
    events = _events(item.pk, agent=viewer.is_agent)
    attachment_ids = [e.data.get("attachment") for e in events if e.verb == "attachment" and e.data]
    attachment_ids = [i for i in attachment_ids if i]
    attachments = (
        {a.pk: a for a in Attachment.objects.filter(work_item=item, pk__in=attachment_ids)}
        if attachment_ids
        else {}
    )
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
        entry = Entry(event=event, verb=event.verb, icon=icon, colour=colour, kind=item.kind)
        data = event.data or {}
        if event.verb == "updated":
            entry.changes = _changes(data.get("changes", {}), item.kind)
        elif event.verb == "transition":
            entry.changes = _changes(data.get("changes", {}), item.kind)
        elif event.verb == "created":
            entry.changes = [
                c
                for c in _changes(
                    {k: [None, v] for k, v in data.get("fields", {}).items()}, item.kind
                )
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
