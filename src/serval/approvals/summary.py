"""An item's approvals as people read them: rounds, steps, approvers, decisions.

One shape for the approvals panel of the change page, the approval view of a change, and the
API (`GET /api/v1/changes/{number}/approvals`), read in four queries whatever the number of
rounds, steps and approvers. Who may decide what *now* is computed for the viewer from the
same rows (their own approvals and those of the people they stand in for).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from serval.approvals import engine
from serval.approvals.models import (
    Approval,
    ApprovalRound,
    ApprovalState,
    ApprovalStep,
    Mode,
    RoundState,
    StepState,
)
from serval.core.tenancy import reach

if TYPE_CHECKING:
    from serval.people.models import User
    from serval.work.models import WorkItem

STAGE_LABELS = {"assess": _("Assess"), "authorize": _("Authorize")}
STATE_COLOURS = {
    "requested": "yellow",
    "pending": "yellow",
    "waiting": "secondary",
    "approved": "green",
    "rejected": "red",
    "cancelled": "secondary",
    "not_required": "secondary",
    "skipped": "secondary",
}
STATE_ICONS = {
    "requested": "ti-hourglass",
    "pending": "ti-hourglass",
    "waiting": "ti-clock-pause",
    "approved": "ti-circle-check",
    "rejected": "ti-circle-x",
    "cancelled": "ti-circle-minus",
    "not_required": "ti-circle-dashed",
    "skipped": "ti-circle-dashed",
}


@dataclass
class ApprovalView:
    approval: Approval
    can_decide: bool = False

    @property
    def on_behalf(self) -> bool:
        """Decided by someone else than the approver: their delegate."""
        a = self.approval
        return a.decided_by_id is not None and a.decided_by_id != a.approver_id

    @property
    def colour(self) -> str:
        return STATE_COLOURS.get(self.approval.state, "secondary")

    @property
    def icon(self) -> str:
        return STATE_ICONS.get(self.approval.state, "ti-circle")


@dataclass
class StepView:
    step: ApprovalStep
    approvals: list[ApprovalView] = field(default_factory=list)

    @property
    def stage_label(self) -> str:
        return str(STAGE_LABELS.get(self.step.stage, self.step.stage))

    @property
    def approved(self) -> int:
        return sum(1 for a in self.approvals if a.approval.state == ApprovalState.APPROVED)

    @property
    def needed(self) -> int:
        counted = [
            a
            for a in self.approvals
            if a.approval.state
            in (ApprovalState.APPROVED, ApprovalState.REJECTED, ApprovalState.REQUESTED)
        ]
        return engine._needed(self.step, len(counted))

    @property
    def mode_text(self) -> str:
        step = self.step
        if step.mode == Mode.QUORUM:
            return str(_("%(n)s of %(total)s")) % {"n": self.needed, "total": len(self.approvals)}
        return str(Mode(step.mode).label)

    @property
    def by_board(self) -> bool:
        """Decided as a whole (a board's decision recorded in a meeting)."""
        return self.step.decided_by_id is not None or self.step.meeting_id is not None

    @property
    def nobody(self) -> bool:
        return self.step.state == StepState.PENDING and not self.approvals

    @property
    def colour(self) -> str:
        return STATE_COLOURS.get(self.step.state, "secondary")

    @property
    def icon(self) -> str:
        return STATE_ICONS.get(self.step.state, "ti-circle")


@dataclass
class RoundView:
    round: ApprovalRound
    steps: list[StepView]
    current: bool

    @property
    def colour(self) -> str:
        return STATE_COLOURS.get(self.round.state, "secondary")


def _stage_rank(item: WorkItem) -> dict[str, int]:
    hooks = engine.kinds().get(item.kind)
    return {s: i for i, s in enumerate(hooks.stages)} if hooks else {}


def rounds_of(item: WorkItem, viewer: User | None = None) -> list[RoundView]:
    """Every round of the item, newest first, with what `viewer` may decide now."""
    approvals = Approval.objects.select_related("approver", "decided_by").order_by("pk")
    steps = (
        ApprovalStep.objects.select_related("board", "decided_by", "meeting")
        .prefetch_related(Prefetch("approvals", queryset=approvals))
        .order_by("order", "pk")
    )
    rounds = list(
        ApprovalRound.objects.filter(work_item=item)
        .order_by("-number")
        .prefetch_related(Prefetch("steps", queryset=steps))
    )
    acting: set[int] = set()
    if viewer is not None and viewer.is_active and item.tenant_id in reach(viewer):
        if item.caller_id != viewer.pk:
            acting = {viewer.pk, *engine.delegators(viewer)}
    rank = _stage_rank(item)
    out = []
    for index, round_ in enumerate(rounds):
        views = []
        for step in sorted(
            round_.steps.all(), key=lambda s: (rank.get(s.stage, 99), s.order, s.pk)
        ):
            open_step = step.state == StepState.PENDING and round_.state == RoundState.PENDING
            views.append(
                StepView(
                    step,
                    [
                        ApprovalView(
                            a,
                            can_decide=open_step
                            and a.state == ApprovalState.REQUESTED
                            and a.approver_id in acting,
                        )
                        for a in step.approvals.all()
                    ],
                )
            )
        out.append(RoundView(round_, views, current=index == 0))
    return out


def decidable(rounds: list[RoundView]) -> list[ApprovalView]:
    """The viewer's open approvals among these rounds."""
    return [a for r in rounds for s in r.steps for a in s.approvals if a.can_decide]


def as_data(rounds: list[RoundView]) -> list[dict[str, Any]]:
    """The API's shape of `rounds_of`."""
    from serval.api.workitems import user_ref

    out = []
    for r in rounds:
        out.append(
            {
                "number": r.round.number,
                "state": r.round.state,
                "started_at": r.round.started_at,
                "ended_at": r.round.ended_at,
                "steps": [
                    {
                        "id": s.step.pk,
                        "stage": s.step.stage,
                        "order": s.step.order,
                        "label": s.step.label,
                        "approver_kind": s.step.approver_kind,
                        "mode": s.step.mode,
                        "quorum": s.step.quorum,
                        "needed": s.needed,
                        "state": s.step.state,
                        "decided_at": s.step.decided_at,
                        "decided_by": user_ref(s.step.decided_by),
                        "comment": s.step.comment,
                        "board": (
                            {"id": s.step.board.pk, "name": s.step.board.name}
                            if s.step.board
                            else None
                        ),
                        "meeting": s.step.meeting_id,
                        "approvals": [approval_data(a.approval, a.can_decide) for a in s.approvals],
                    }
                    for s in r.steps
                ],
            }
        )
    return out


def approval_data(approval: Approval, can_decide: bool) -> dict[str, Any]:
    from serval.api.workitems import user_ref

    return {
        "id": approval.pk,
        "approver": user_ref(approval.approver),
        "reason": approval.reason,
        "state": approval.state,
        "requested_at": approval.requested_at,
        "decided_at": approval.decided_at,
        "decided_by": user_ref(approval.decided_by),
        "on_behalf_of": (
            user_ref(approval.approver)
            if approval.decided_by_id and approval.decided_by_id != approval.approver_id
            else None
        ),
        "comment": approval.comment,
        "can_decide": can_decide,
    }
