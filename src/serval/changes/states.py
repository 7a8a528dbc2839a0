"""Change and change-task states per DOMAIN.md §2.3, declared once per change type.

The three types walk different paths through the same states:

- standard:  New → Scheduled → Implement → Review → Closed (pre-authorized by its template);
- normal:    New → Assess → Authorize → Scheduled → Implement → Review → Closed;
- emergency: New → Authorize → Scheduled → Implement → Review → Closed.

Cancelled is reachable from every state before Review. Assess → Authorize and Authorize →
Scheduled are taken by the approval engine when a stage's approvals are complete; "Schedule" by
a change manager is the same Authorize → Scheduled move, offered once the approvals are in and
conflicts need an explicit override. `PRECONDITIONS` lists what the change must already carry
to enter a state (checked by the action, reported as field errors), `requires` on a transition
what the person must supply with it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from serval.core.statemachine import State, StateMachine, Transition

NEW, ASSESS, AUTHORIZE, SCHEDULED, IMPLEMENT, REVIEW, CLOSED, CANCELLED = (
    "new",
    "assess",
    "authorize",
    "scheduled",
    "implement",
    "review",
    "closed",
    "cancelled",
)
# Waiting for a decision: approvals run in these states (serval.approvals stages).
APPROVAL_STATES = (ASSESS, AUTHORIZE)
# On the schedule: what conflict detection compares against and the calendar shows as firm.
SCHEDULED_STATES = (AUTHORIZE, SCHEDULED, IMPLEMENT)
OPEN_STATES = (NEW, ASSESS, AUTHORIZE, SCHEDULED, IMPLEMENT, REVIEW)
DONE_STATES = (CLOSED, CANCELLED)
# ServiceNow state values, for imports (DOMAIN.md §2.3 [25]).
SERVICENOW_CODES = {
    NEW: -5,
    ASSESS: -4,
    AUTHORIZE: -3,
    SCHEDULED: -2,
    IMPLEMENT: -1,
    REVIEW: 0,
    CLOSED: 3,
    CANCELLED: 4,
}

CHANGE_MANAGERS = frozenset({"manager", "admin"})
# Taken only by Serval itself (the approval engine); never offered to a person.
SYSTEM: frozenset[str] = frozenset()


def _states() -> list[State]:
    return [
        State(NEW, str(_("New")), "design_transition", "active"),
        State(ASSESS, str(_("Assess")), "design_transition", "waiting"),
        State(AUTHORIZE, str(_("Authorize")), "design_transition", "waiting"),
        State(SCHEDULED, str(_("Scheduled")), "design_transition", "waiting"),
        State(IMPLEMENT, str(_("Implement")), "obtain_build", "active"),
        State(REVIEW, str(_("Review")), "improve", "active"),
        State(CLOSED, str(_("Closed")), "improve", "done", terminal=True),
        State(CANCELLED, str(_("Cancelled")), "design_transition", "done", terminal=True),
    ]


def _approvals_done(item: Any, actor: Any) -> str:
    """Authorize → Scheduled by hand: only once the authorize stage has no pending approvals.

    A list that annotated `authorize_pending` for its rows (one subquery for the page) is
    answered from it instead of two queries per row."""
    pending = getattr(item, "authorize_pending", None)
    if pending is None:
        from serval.approvals import engine

        pending = engine.stage_pending(item, AUTHORIZE)
    if pending:
        return str(_("Approvals are still pending."))
    return ""


def _common_tail() -> list[Transition]:
    """Scheduled onwards, and the cancellations: the same for every type."""
    cancel = str(_("Cancel"))
    return [
        Transition(SCHEDULED, IMPLEMENT, str(_("Start implementation")), style="primary"),
        Transition(SCHEDULED, NEW, str(_("Revert to new")), style="warning"),
        Transition(
            IMPLEMENT,
            REVIEW,
            str(_("Finish implementation")),
            ("close_code", "close_notes"),
            style="success",
        ),
        Transition(REVIEW, CLOSED, str(_("Close")), style="success"),
        *(
            Transition(source, CANCELLED, cancel, ("cancel_reason",), style="danger")
            for source in (NEW, ASSESS, AUTHORIZE, SCHEDULED, IMPLEMENT)
        ),
    ]


def _schedule_by_hand() -> Transition:
    return Transition(
        AUTHORIZE,
        SCHEDULED,
        str(_("Schedule")),
        roles=CHANGE_MANAGERS,
        guard=_approvals_done,
        style="primary",
    )


NORMAL = StateMachine(
    kind="change",
    initial=NEW,
    states=_states(),
    transitions=[
        Transition(NEW, ASSESS, str(_("Request approval")), style="primary"),
        Transition(ASSESS, AUTHORIZE, str(_("Assessed")), roles=SYSTEM),
        Transition(ASSESS, NEW, str(_("Revert to new")), style="warning"),
        _schedule_by_hand(),
        Transition(AUTHORIZE, NEW, str(_("Revert to new")), style="warning"),
        *_common_tail(),
    ],
)

EMERGENCY = StateMachine(
    kind="change",
    initial=NEW,
    states=_states(),
    transitions=[
        Transition(NEW, AUTHORIZE, str(_("Request emergency authorization")), style="primary"),
        _schedule_by_hand(),
        Transition(AUTHORIZE, NEW, str(_("Revert to new")), style="warning"),
        *_common_tail(),
    ],
)

STANDARD = StateMachine(
    kind="change",
    initial=NEW,
    states=_states(),
    transitions=[
        Transition(NEW, SCHEDULED, str(_("Schedule")), style="primary"),
        *_common_tail(),
    ],
)

MACHINES = {"standard": STANDARD, "normal": NORMAL, "emergency": EMERGENCY}


def machine_for(change_type: str) -> StateMachine:
    return MACHINES[change_type]


# What a change must carry to enter a state, per type (field names of ChangeDetail / WorkItem).
# Emergency changes may complete their documentation afterwards (DOMAIN.md §2.3): their plans
# are needed before the review is closed instead.
_PLANNED = ("planned_start", "planned_end")
_PLANS = ("implementation_plan", "backout_plan")
PRECONDITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "normal": {
        ASSESS: ("title", "justification", *_PLANS, *_PLANNED),
        SCHEDULED: _PLANNED,
        IMPLEMENT: ("assignment_group", *_PLANNED),
    },
    "emergency": {
        AUTHORIZE: ("title", "justification"),
        SCHEDULED: _PLANNED,
        IMPLEMENT: ("assignment_group", *_PLANNED),
        CLOSED: _PLANS,
    },
    "standard": {
        SCHEDULED: (*_PLANS, *_PLANNED),
        IMPLEMENT: ("assignment_group", *_PLANNED),
    },
}

TASK_OPEN, TASK_IN_PROGRESS, TASK_COMPLETE, TASK_INCOMPLETE, TASK_SKIPPED, TASK_CANCELLED = (
    "open",
    "in_progress",
    "complete",
    "incomplete",
    "skipped",
    "cancelled",
)
TASK_OPEN_STATES = (TASK_OPEN, TASK_IN_PROGRESS)

CHANGE_TASK = StateMachine(
    kind="change_task",
    initial=TASK_OPEN,
    states=[
        State(TASK_OPEN, str(_("Open")), "design_transition", "waiting"),
        State(TASK_IN_PROGRESS, str(_("Work in progress")), "obtain_build", "active"),
        State(TASK_COMPLETE, str(_("Closed complete")), "obtain_build", "done", terminal=True),
        State(TASK_INCOMPLETE, str(_("Closed incomplete")), "obtain_build", "done", terminal=True),
        State(TASK_SKIPPED, str(_("Closed skipped")), "obtain_build", "done", terminal=True),
        State(TASK_CANCELLED, str(_("Cancelled")), "obtain_build", "done", terminal=True),
    ],
    transitions=[
        Transition(TASK_OPEN, TASK_IN_PROGRESS, str(_("Start work")), style="primary"),
        Transition(TASK_OPEN, TASK_SKIPPED, str(_("Skip")), ("close_notes",)),
        Transition(TASK_OPEN, TASK_CANCELLED, str(_("Cancel")), ("cancel_reason",), style="danger"),
        Transition(
            TASK_IN_PROGRESS, TASK_COMPLETE, str(_("Complete")), ("close_notes",), style="success"
        ),
        Transition(
            TASK_IN_PROGRESS,
            TASK_INCOMPLETE,
            str(_("Close incomplete")),
            ("close_notes",),
            style="warning",
        ),
        Transition(TASK_IN_PROGRESS, TASK_OPEN, str(_("Stop work"))),
    ],
)
