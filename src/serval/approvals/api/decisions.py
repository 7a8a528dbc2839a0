"""Approvals and decisions over the API.

- `GET /api/v1/approvals?state=requested&mine=1` — approvals the caller may see; `mine=1`
  keeps the caller's own (and those of the people they stand in for), the open ones only
  while they can decide them now;
- `GET /api/v1/changes/{number}/approvals` — the change's rounds, steps and approvals;
- `POST /api/v1/changes/{number}/approvals/{id}/decide` — `{decision: approve|reject, comment}`.

The two change paths live on `changes_router`, mounted by `serval.changes.api` under
/api/v1/changes before the core change router: they are approval data and decisions, so they
belong to this app, and `/{number}/approvals…` never clashes with the core `/{number}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from serval.api.auth import actor
from serval.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page, parse_csv
from serval.api.schemas import Id, In, UserRef, problems
from serval.approvals import engine, summary
from serval.approvals.models import Approval, ApprovalState, RoundState, StepState
from serval.approvals.querysets import approvals_visible_to
from serval.changes.querysets import access_change
from serval.core.errors import NotFound
from serval.core.tenancy import reach

router = Router(tags=["approvals"])
changes_router = Router(tags=["approvals"])


class ChangeBrief(Schema):
    number: str
    title: str
    state: str


class StepBrief(Schema):
    id: int
    label: str
    stage: str
    order: int
    mode: str
    state: str
    round: int


class ApprovalOut(Schema):
    id: int
    change: ChangeBrief
    step: StepBrief
    approver: UserRef
    reason: str
    state: str
    requested_at: datetime
    decided_at: datetime | None
    decided_by: UserRef | None
    on_behalf_of: UserRef | None
    comment: str
    can_decide: bool = Field(..., description="Whether the caller may decide it now.")


class ApprovalPage(Schema):
    items: list[ApprovalOut]
    next: str | None


class StepApprovalOut(Schema):
    id: int
    approver: UserRef
    reason: str
    state: str
    requested_at: datetime
    decided_at: datetime | None
    decided_by: UserRef | None
    on_behalf_of: UserRef | None
    comment: str
    can_decide: bool


class BoardRef(Schema):
    id: int
    name: str


class ApprovalStepOut(Schema):
    id: int
    stage: str
    order: int
    label: str
    approver_kind: str
    mode: str
    quorum: int
    needed: int = Field(..., description="Approvals that approve the step.")
    state: str
    decided_at: datetime | None
    decided_by: UserRef | None = Field(None, description="Set when decided as a whole (board).")
    comment: str
    board: BoardRef | None
    meeting: int | None
    approvals: list[StepApprovalOut]


class RoundOut(Schema):
    number: int
    state: str
    started_at: datetime
    ended_at: datetime | None
    steps: list[ApprovalStepOut]


class ChangeApprovalsOut(Schema):
    change: ChangeBrief
    rounds: list[RoundOut] = Field(..., description="Newest round first.")


class DecideIn(In):
    decision: Literal["approve", "reject"]
    comment: str = Field("", max_length=4000, description="Required to reject.")


class ApprovalFilters(Schema):
    state: str | None = Field(None, max_length=200, description="Comma-separated states.")
    mine: bool = Field(False, description="Only mine (and of those I stand in for).")
    change: str | None = Field(None, max_length=32, description="A change number.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=1000)


def _acting(user: Any) -> set[int]:
    return {user.pk, *engine.delegators(user)}


def approval_out(approval: Approval, user: Any, acting: set[int]) -> dict[str, Any]:
    item = approval.work_item
    step = approval.step
    open_ = (
        approval.state == ApprovalState.REQUESTED
        and step.state == StepState.PENDING
        and step.round.state == RoundState.PENDING
    )
    can = (
        open_
        and approval.approver_id in acting
        and item.caller_id != user.pk
        and approval.tenant_id in reach(user)
    )
    return {
        **summary.approval_data(approval, can),
        "change": {"number": item.number, "title": item.title, "state": item.state},
        "step": {
            "id": step.pk,
            "label": step.label,
            "stage": step.stage,
            "order": step.order,
            "mode": step.mode,
            "state": step.state,
            "round": step.round.number,
        },
    }


@router.get("", response={200: ApprovalPage, **problems()})
def list_approvals(request: HttpRequest, filters: Query[ApprovalFilters]) -> dict[str, Any]:
    """Approvals the caller may see, newest first; `state=requested&mine=1` is "My approvals"."""
    user = actor(request)
    qs = approvals_visible_to(user)
    states = parse_csv(filters.state, ApprovalState.values, field="state")
    if states:
        qs = qs.filter(state__in=states)
    acting = _acting(user)
    if filters.mine:
        qs = qs.filter(engine.awaiting(user) | (Q(approver_id__in=acting) & ~Q(state="requested")))
    if filters.change:
        qs = qs.filter(work_item__number=filters.change.strip().upper())
    qs = qs.select_related("work_item", "step__round", "approver", "decided_by")
    rows, next_link = page(
        request, qs, ordering="-requested_at", limit=filters.limit, cursor=filters.cursor
    )
    return {"items": [approval_out(a, user, acting) for a in rows], "next": next_link}


@changes_router.get("/{number}/approvals", response={200: ChangeApprovalsOut, **problems(404)})
def change_approvals(request: HttpRequest, number: str) -> dict[str, Any]:
    """Every approval round of a change, newest first, with what the caller may decide now."""
    user = actor(request)
    item = access_change(user, number)
    return {
        "change": {"number": item.number, "title": item.title, "state": item.state},
        "rounds": summary.as_data(summary.rounds_of(item, user)),
    }


@changes_router.post(
    "/{number}/approvals/{id}/decide", response={200: ApprovalOut, **problems(403, 404)}
)
def decide(request: HttpRequest, number: str, id: Id, payload: DecideIn) -> dict[str, Any]:
    """Approve or reject one approval, as its approver or their active delegate.

    A rejection needs a comment and returns the change to New; an approval that completes the
    stage moves the change on. Deciding an approval that is no longer open is a 422 on
    `approval`; someone else's approval is a 403.
    """
    user = actor(request)
    item = access_change(user, number)
    approval = Approval.objects.filter(pk=id, work_item=item).first()
    if approval is None:
        raise NotFound(_("No such approval on %s.") % item.number)
    decided = engine.decide(
        actor=user,
        approval=approval,
        approve=payload.decision == "approve",
        comment=payload.comment,
        via="api",
    )
    fresh = Approval.objects.select_related(
        "work_item", "step__round", "approver", "decided_by"
    ).get(pk=decided.pk)
    return approval_out(fresh, user, _acting(user))
