"""The approval engine: rounds, stages, steps and decisions, for any kind of work item.

A kind's module drives it and is called back (`register`):

- `start_round(item=…, actor=…)` when the item is submitted (a change leaving New): a fresh
  round, the previous one's open approvals cancelled;
- `start_stage(item=…, stage=…, actor=…)` when the item enters a state that needs approval
  ("assess", "authorize"): the matching policies' steps for that stage are instantiated with
  their approvers resolved *now*, the lowest order activated. It returns True when nothing is
  pending for the stage (no policy asks anything), so the caller moves on at once;
- `decide(actor=…, approval=…, approve=…, comment=…)` by an approver or their delegate: when
  the stage's last step is approved the kind's `on_approved(item, stage, actor)` runs, on any
  rejection `on_rejected(item, stage, actor, comment)`, inside the same transaction;
- `cancel_open(item=…, actor=…, reason=…)` when the item is reverted or cancelled.

Every call runs inside the caller's transaction with the item's row locked (the kinds'
actions hold it; `decide` takes it itself), and journals on the item through
`serval.work.actions.record`, so approvals are on the item's timeline and notifications see them.

Who approves is resolved per step (`resolve_approvers`): the requester never approves their
own item; where nobody is left (a team without a manager, a service without an owner) the
tenant's change managers (role manager, then admin) are asked instead, so a step can never be
silently skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from serval.approvals.models import (
    Approval,
    ApprovalPolicy,
    ApprovalRound,
    ApprovalState,
    ApprovalStep,
    ApproverKind,
    Delegation,
    Mode,
    PolicyStep,
    RoundState,
    StepState,
)
from serval.core.errors import PermissionDenied, ValidationFailed
from serval.core.tenancy import reach
from serval.core.text import optional_text

if TYPE_CHECKING:
    from serval.people.models import User
    from serval.work.models import WorkItem

MAX_COMMENT = 4000


@dataclass(frozen=True)
class KindHooks:
    matches: Callable[[ApprovalPolicy, Any], bool]
    on_approved: Callable[[Any, str, Any], None]
    on_rejected: Callable[[Any, str, Any, str], None]


_HOOKS: dict[str, KindHooks] = {}


def register(
    kind: str,
    *,
    matches: Callable[[ApprovalPolicy, Any], bool],
    on_approved: Callable[[Any, str, Any], None],
    on_rejected: Callable[[Any, str, Any, str], None],
) -> None:
    """Called by a kind's AppConfig.ready(): how its policies match and what a decision does."""
    _HOOKS[kind] = KindHooks(matches, on_approved, on_rejected)


def _hooks(item: WorkItem) -> KindHooks:
    try:
        return _HOOKS[item.kind]
    except KeyError:
        raise ValidationFailed({"kind": _("This kind of item has no approvals.")}) from None


def _record(item: WorkItem, verb: str, actor: User | None, **data: Any) -> None:
    from serval.work import actions as work

    work.record(item, verb=verb, actor=actor, data=data)


# --- policies and approvers -------------------------------------------------------------------


def policies_for(item: WorkItem) -> list[ApprovalPolicy]:
    """Active policies of the item's kind, in its tenant or shared from above, that match it."""
    from serval.core.models import Tenant

    tenant = Tenant.objects.get(pk=item.tenant_id)
    tenants = [*tenant.ancestor_ids(), tenant.pk]
    hooks = _hooks(item)
    candidates = ApprovalPolicy.objects.filter(
        kind=item.kind, active=True, tenant_id__in=tenants
    ).order_by("order", "pk")
    return [p for p in candidates if hooks.matches(p, item)]


def current_round(item: WorkItem) -> ApprovalRound | None:
    return ApprovalRound.objects.filter(work_item=item).order_by("-number").first()


def _fallback(item: WorkItem, exclude: set[int]) -> list[tuple[User, str]]:
    """The tenant's change managers, then its administrators: never a step with nobody."""
    from serval.core.models import Tenant
    from serval.people.models import User

    tenant = Tenant.objects.get(pk=item.tenant_id)
    homes = [*tenant.ancestor_ids(), tenant.pk]
    for role in ("manager", "admin"):
        people = [
            u
            for u in User.objects.filter(role=role, is_active=True, tenant_id__in=homes).order_by(
                "pk"
            )[:20]
            if u.pk not in exclude and item.tenant_id in reach(u)
        ]
        if people:
            return [(u, _("no approver was found; change manager")) for u in people]
    return []


def resolve_approvers(step: PolicyStep, item: WorkItem) -> list[tuple[User, str]]:
    """(person, why) for one policy step on one item, as the item stands now."""

    found: list[tuple[User, str]] = []
    kind = step.approver_kind
    if kind == ApproverKind.USERS:
        found = [(u, _("named approver")) for u in step.users.filter(is_active=True)]
    elif kind == ApproverKind.TEAM and step.team is not None:
        found = [(u, step.team.name) for u in step.team.members.filter(is_active=True)]
    elif kind == ApproverKind.GROUP_MANAGER:
        group = item.assignment_group
        if group is not None and group.manager is not None:
            found = [(group.manager, _("manager of %s") % group.name)]
    elif kind == ApproverKind.REQUESTER_MANAGER:
        manager = item.caller.manager
        if manager is not None:
            found = [(manager, _("manager of %s") % item.caller.display_name)]
    elif kind == ApproverKind.SERVICE_OWNERS:
        from serval.cmdb.models import ImpactedService

        rows = (
            ImpactedService.objects.filter(work_item=item, service__owner__isnull=False)
            .select_related("service__owner")
            .order_by("service__name")
        )
        owners: dict[int, tuple[User, list[str]]] = {}
        for row in rows:
            owner = row.service.owner
            if owner is not None:
                owners.setdefault(owner.pk, (owner, []))[1].append(row.service.name)
        found = [(u, _("owner of %s") % ", ".join(names)) for u, names in owners.values()]
    elif kind == ApproverKind.BOARD and step.board is not None:
        found = [(u, step.board.name) for u in step.board.members.filter(is_active=True)]
    exclude = {item.caller_id}
    seen: set[int] = set()
    people: list[tuple[User, str]] = []
    for user, why in found:
        if user.pk in exclude or user.pk in seen or not user.is_active:
            continue
        if item.tenant_id not in reach(user):
            continue
        seen.add(user.pk)
        people.append((user, why))
    return people or _fallback(item, exclude)


def _needed(step: ApprovalStep, count: int) -> int:
    if step.mode == Mode.ALL:
        return count
    if step.mode == Mode.QUORUM:
        return max(1, min(step.quorum, count))
    return 1


# --- rounds and stages ------------------------------------------------------------------------


def start_round(*, item: WorkItem, actor: User | None) -> ApprovalRound:
    """A fresh round for a (re)submitted item; whatever the last one left open is cancelled."""
    cancel_open(item=item, actor=actor, reason=_("resubmitted"))
    number = (ApprovalRound.objects.filter(work_item=item).aggregate(n=Max("number"))["n"] or 0) + 1
    return ApprovalRound.objects.create(tenant_id=item.tenant_id, work_item=item, number=number)


def start_stage(*, item: WorkItem, stage: str, actor: User | None) -> bool:
    """Instantiate the stage's steps in the current round; True when nothing is to approve."""
    round_ = current_round(item)
    if round_ is None or round_.state != RoundState.PENDING:
        round_ = start_round(item=item, actor=actor)
    if ApprovalStep.objects.filter(round=round_, stage=stage).exists():
        return not stage_pending(item, stage)
    for policy in policies_for(item):
        for pstep in policy.steps.filter(stage=stage).select_related("team", "board"):
            people = resolve_approvers(pstep, item)
            step = ApprovalStep.objects.create(
                round=round_,
                stage=stage,
                order=pstep.order,
                label=pstep.label,
                approver_kind=pstep.approver_kind,
                board=pstep.board,
                mode=pstep.mode if pstep.approver_kind != ApproverKind.SERVICE_OWNERS else Mode.ALL,
                quorum=pstep.quorum,
            )
            Approval.objects.bulk_create(
                Approval(
                    tenant_id=item.tenant_id,
                    step=step,
                    work_item=item,
                    approver=user,
                    reason=why[:200],
                )
                for user, why in people
            )
    return _advance(item, round_, stage, actor)


def _activate(item: WorkItem, steps: list[ApprovalStep], actor: User | None) -> None:
    for step in steps:
        step.state = StepState.PENDING
        step.save(update_fields=["state"])
        approvers = list(
            step.approvals.filter(state=ApprovalState.REQUESTED).values_list(
                "approver__username", flat=True
            )
        )
        _record(
            item,
            "approval_requested",
            actor,
            step=step.pk,
            stage=step.stage,
            label=step.label,
            mode=step.mode,
            approvers=approvers,
        )


def _advance(item: WorkItem, round_: ApprovalRound, stage: str, actor: User | None) -> bool:
    """Activate the next order of waiting steps; True (and nothing pending) when all approved."""
    steps = list(ApprovalStep.objects.filter(round=round_, stage=stage).order_by("order", "pk"))
    if any(s.state == StepState.PENDING for s in steps):
        return False
    waiting = [s for s in steps if s.state == StepState.WAITING]
    if not waiting:
        return True
    low = min(s.order for s in waiting)
    _activate(item, [s for s in waiting if s.order == low], actor)
    return False


def stage_pending(item: WorkItem, stage: str) -> bool:
    """Whether the current round still waits for anyone at this stage."""
    round_ = current_round(item)
    if round_ is None or round_.state != RoundState.PENDING:
        return False
    return ApprovalStep.objects.filter(
        round=round_, stage=stage, state__in=(StepState.PENDING, StepState.WAITING)
    ).exists()


def cancel_open(*, item: WorkItem, actor: User | None, reason: str = "") -> int:
    """Cancel the current round's open steps and approvals (revert, cancel, resubmission)."""
    round_ = current_round(item)
    if round_ is None or round_.state != RoundState.PENDING:
        return 0
    now = timezone.now()
    cancelled = Approval.objects.filter(step__round=round_, state=ApprovalState.REQUESTED).update(
        state=ApprovalState.CANCELLED, decided_at=now
    )
    ApprovalStep.objects.filter(
        round=round_, state__in=(StepState.PENDING, StepState.WAITING)
    ).update(state=StepState.CANCELLED, decided_at=now)
    round_.state, round_.ended_at = RoundState.CANCELLED, now
    round_.save(update_fields=["state", "ended_at"])
    _record(item, "approvals_cancelled", actor, round=round_.number, reason=reason)
    return cancelled


# --- deciding ---------------------------------------------------------------------------------


def delegators(actor: User, at: datetime | None = None) -> list[int]:
    """Ids of the people `actor` currently stands in for."""
    at = at or timezone.now()
    return list(
        Delegation.objects.filter(delegate=actor, starts_at__lte=at, ends_at__gt=at).values_list(
            "user_id", flat=True
        )
    )


def awaiting(actor: User) -> Q:
    """Filter for the approvals `actor` may decide now: their own and their delegators'."""
    return Q(
        state=ApprovalState.REQUESTED,
        step__state=StepState.PENDING,
        approver_id__in=[actor.pk, *delegators(actor)],
    )


def can_decide(actor: User, approval: Approval) -> bool:
    if approval.state != ApprovalState.REQUESTED:
        return False
    if approval.step.state != StepState.PENDING:
        return False
    return approval.approver_id == actor.pk or approval.approver_id in delegators(actor)


def decide(*, actor: User, approval: Approval, approve: bool, comment: Any = "") -> Approval:
    """Approve or reject one approval (as the approver or their delegate); the item follows."""
    from serval.work import actions as work
    from serval.work.models import WorkItem

    comment = optional_text(comment, field="comment", limit=MAX_COMMENT)
    if not approve and not comment.strip():
        raise ValidationFailed({"comment": _("Say why you reject it.")})
    item = work.lock(WorkItem.objects.get(pk=approval.work_item_id))
    approval = (
        Approval.objects.select_for_update().select_related("step__round").get(pk=approval.pk)
    )
    if approval.state != ApprovalState.REQUESTED or approval.step.state != StepState.PENDING:
        raise ValidationFailed({"approval": _("This approval is no longer open.")})
    if not can_decide(actor, approval):
        raise PermissionDenied(_("You cannot decide this approval."))
    now = timezone.now()
    approval.state = ApprovalState.APPROVED if approve else ApprovalState.REJECTED
    approval.decided_by, approval.decided_at, approval.comment = actor, now, comment.strip()
    approval.save(update_fields=["state", "decided_by", "decided_at", "comment"])
    on_behalf = approval.approver.username if approval.approver_id != actor.pk else None
    _record(
        item,
        "approved" if approve else "rejected",
        actor,
        approval=approval.pk,
        step=approval.step.label,
        stage=approval.step.stage,
        on_behalf_of=on_behalf,
        comment=approval.comment,
    )
    _settle(item, approval.step, actor, approval.comment)
    work.bump(item, [])
    return approval


def decide_step(
    *, actor: User | None, step: ApprovalStep, approve: bool, comment: str = ""
) -> None:
    """Decide a whole step at once (a board's recorded decision); the caller checks authority.

    Open approvals of the step are closed as decided by the board; the item follows as for a
    single decision. The caller holds the item's row lock.
    """
    now = timezone.now()
    state = ApprovalState.APPROVED if approve else ApprovalState.REJECTED
    step.approvals.filter(state=ApprovalState.REQUESTED).update(
        state=state, decided_by=actor, decided_at=now, comment=comment
    )
    item = step.round.work_item
    _record(
        item,
        "approved" if approve else "rejected",
        actor,
        step=step.label,
        stage=step.stage,
        board=step.board.name if step.board else None,
        comment=comment,
    )
    _settle(item, step, actor, comment)


def _settle(item: WorkItem, step: ApprovalStep, actor: User | None, comment: str) -> None:
    """Re-evaluate a step after a decision, then its stage and round; call the kind back."""
    step = ApprovalStep.objects.select_for_update().get(pk=step.pk)
    round_ = step.round
    votes = list(
        step.approvals.exclude(state=ApprovalState.CANCELLED).values_list("state", flat=True)
    )
    approved = votes.count(ApprovalState.APPROVED)
    now = timezone.now()
    if ApprovalState.REJECTED in votes:
        step.state = StepState.REJECTED
    elif approved >= _needed(step, len(votes)):
        step.state = StepState.APPROVED
    else:
        return
    step.decided_at = now
    step.save(update_fields=["state", "decided_at"])
    step.approvals.filter(state=ApprovalState.REQUESTED).update(
        state=ApprovalState.NOT_REQUIRED, decided_at=now
    )
    hooks = _hooks(item)
    if step.state == StepState.REJECTED:
        Approval.objects.filter(step__round=round_, state=ApprovalState.REQUESTED).update(
            state=ApprovalState.NOT_REQUIRED, decided_at=now
        )
        ApprovalStep.objects.filter(
            round=round_, state__in=(StepState.PENDING, StepState.WAITING)
        ).update(state=StepState.CANCELLED, decided_at=now)
        round_.state, round_.ended_at = RoundState.REJECTED, now
        round_.save(update_fields=["state", "ended_at"])
        hooks.on_rejected(item, step.stage, actor, comment)
        return
    if _advance(item, round_, step.stage, actor):
        hooks.on_approved(item, step.stage, actor)


def finish_round(item: WorkItem) -> None:
    """Mark the current round approved (the kind calls this once its last stage is through)."""
    round_ = current_round(item)
    if round_ is not None and round_.state == RoundState.PENDING:
        round_.state, round_.ended_at = RoundState.APPROVED, timezone.now()
        round_.save(update_fields=["state", "ended_at"])
