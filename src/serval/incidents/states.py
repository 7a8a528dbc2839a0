"""Incident states and transitions per DOMAIN.md §2.1, declared once."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from serval.core.statemachine import ALL_ROLES, State, StateMachine, Transition

NEW, IN_PROGRESS, ON_HOLD, RESOLVED, CLOSED, CANCELLED = (
    "new",
    "in_progress",
    "on_hold",
    "resolved",
    "closed",
    "cancelled",
)
OPEN_STATES = (NEW, IN_PROGRESS, ON_HOLD)

HOLD_REASONS = [
    ("awaiting_caller", _("Awaiting caller")),
    ("awaiting_change", _("Awaiting change")),
    ("awaiting_problem", _("Awaiting problem")),
    ("awaiting_vendor", _("Awaiting vendor")),
]
CLOSE_CODES = [
    ("solved_permanently", _("Solved (permanently)")),
    ("solved_workaround", _("Solved (workaround)")),
    ("solved_remotely", _("Solved remotely")),
    ("not_reproducible", _("Not solved (not reproducible)")),
    ("too_costly", _("Not solved (too costly)")),
    ("resolved_by_caller", _("Resolved by caller")),
    ("resolved_by_parent", _("Resolved by parent incident")),
]
# ServiceNow state codes, for imports (DOMAIN.md §2.1).
SERVICENOW_CODES = {NEW: 1, IN_PROGRESS: 2, ON_HOLD: 3, RESOLVED: 6, CLOSED: 7, CANCELLED: 8}


def _caller_only(item: Any, actor: Any) -> str:
    if getattr(actor, "is_agent", False) or item.caller_id == actor.pk:
        return ""
    return str(_("Only the caller or an agent can do this."))


def _caller_may_reopen(item: Any, actor: Any) -> str:
    """Reopening needs a group; a caller cannot route, so without one only an agent reopens."""
    reason = _caller_only(item, actor)
    if reason or getattr(actor, "is_agent", False) or item.assignment_group_id:
        return reason
    return str(_("An agent has to reopen this incident."))


INCIDENT = StateMachine(
    kind="incident",
    initial=NEW,
    states=[
        State(NEW, str(_("New")), "engage", "waiting"),
        State(IN_PROGRESS, str(_("In progress")), "deliver_support", "active"),
        State(ON_HOLD, str(_("On hold")), "deliver_support", "waiting"),
        State(RESOLVED, str(_("Resolved")), "engage", "waiting"),
        State(CLOSED, str(_("Closed")), "engage", "done", terminal=True),
        State(CANCELLED, str(_("Cancelled")), "engage", "done", terminal=True),
    ],
    transitions=[
        Transition(NEW, IN_PROGRESS, str(_("Start work")), ("assignment_group",), style="primary"),
        Transition(NEW, ON_HOLD, str(_("Put on hold")), ("hold_reason",)),
        Transition(
            NEW, RESOLVED, str(_("Resolve")), ("close_code", "close_notes"), style="success"
        ),
        Transition(NEW, CANCELLED, str(_("Cancel")), ("cancel_reason",), style="danger"),
        Transition(IN_PROGRESS, ON_HOLD, str(_("Put on hold")), ("hold_reason",)),
        Transition(
            IN_PROGRESS, RESOLVED, str(_("Resolve")), ("close_code", "close_notes"), style="success"
        ),
        Transition(IN_PROGRESS, CANCELLED, str(_("Cancel")), ("cancel_reason",), style="danger"),
        Transition(ON_HOLD, IN_PROGRESS, str(_("Resume")), ("assignment_group",), style="primary"),
        Transition(
            ON_HOLD, RESOLVED, str(_("Resolve")), ("close_code", "close_notes"), style="success"
        ),
        Transition(
            RESOLVED, CLOSED, str(_("Close")), roles=ALL_ROLES, guard=_caller_only, style="success"
        ),
        Transition(
            RESOLVED,
            IN_PROGRESS,
            str(_("Reopen")),
            ("assignment_group",),
            roles=ALL_ROLES,
            guard=_caller_may_reopen,
            style="warning",
        ),
    ],
)
