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
- `decide_step(actor=…, step=…, approve=…)` for a whole step at once (a board's decision
  recorded in a meeting);
- `cancel_open(item=…, actor=…, reason=…)` when the item is reverted or cancelled.

Every call runs inside a transaction with the item's row locked: the kinds' actions hold it for
`start_*` and `cancel_open`; `decide` opens its own transaction and takes the lock itself, so two
approvers deciding at the same instant are serialised on the item's row and only one of them can
complete a step (the second finds their approval no longer open). Everything is journaled on the
item through `serval.work.actions.record`, so approvals are on the item's timeline and
notifications see them.

How a step is decided (`Mode`): *any* — the first approval approves it, the first rejection
rejects it; *all* — every approver must approve, one rejection rejects; *quorum* — `quorum`
approvals approve it, and it is rejected as soon as the quorum can no longer be reached. Steps
of one stage with the same `order` run in parallel; a higher order starts when every lower one
is approved. The owners of impacted services always decide as *all* (each owner for their
service).

Who approves is resolved per step (`resolve_approvers`): the requester never approves their
own item (nor decides for someone else on it as a delegate); where nobody is left (a team
without a manager, a board without members, a service without an owner) the tenant's change
managers (role manager, then admin) are asked instead, so a step can never be silently skipped.
The one exception is a service-owners step on an item that impacts no service: it is recorded
as "not applicable" (journaled and shown), since there is no owner to ask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
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
    from serval.approvals.models import BoardMeeting
    from serval.people.models import User
    from serval.work.models import WorkItem

MAX_COMMENT = 4000
OPEN_STEP_STATES = (StepState.PENDING, StepState.WAITING)
DONE_STEP_STATES = (StepState.APPROVED, StepState.SKIPPED)
VIA = ("web", "api", "email", "meeting")


@dataclass(frozen=True)
class KindHooks:
    matches: Callable[[ApprovalPolicy, Any], bool]
    on_approved: Callable[[Any, str, Any], None]
    on_rejected: Callable[[Any, str, Any, str], None]
    # The stages (states) a policy step may name, and the values a policy may filter on.
    stages: tuple[str, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)


_HOOKS: dict[str, KindHooks] = {}


def register(
    kind: str,
    *,
    matches: Callable[[ApprovalPolicy, Any], bool],
    on_approved: Callable[[Any, str, Any], None],
    on_rejected: Callable[[Any, str, Any, str], None],
    stages: tuple[str, ...] = (),
    filters: dict[str, tuple[str, ...]] | None = None,
) -> None:
    """Called by a kind's AppConfig.ready(): how its policies match and what a decision does.

    `stages` are the states approvals run in (validated on policy steps); `filters` the
    allowed values of the policy's `change_types` / `risks` lists for this kind.
    """
    _HOOKS[kind] = KindHooks(matches, on_approved, on_rejected, tuple(stages), dict(filters or {}))


def kinds() -> dict[str, KindHooks]:
    """The registered kinds (for policy validation and the policy pages)."""
    return dict(_HOOKS)


def _hooks(item: WorkItem) -> KindHooks:
    try:
        return _HOOKS[item.kind]
    except KeyError:
        raise ValidationFailed({"kind": _("This kind of item has no approvals.")}) from None


def _record(item: WorkItem, verb: str, actor: User | None, **data: Any) -> None:
    from serval.work import actions as work

    work.record(item, verb=verb, actor=actor, data=data)


def requester_id(item: WorkItem) -> int | None:
    """Who asked for the item: they never approve it (the caller of a work item)."""
    return item.caller_id


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


def change_managers(item: WorkItem, exclude: set[int]) -> list[User]:
    """The tenant's change managers (role manager), else its administrators; at most 20."""
    from serval.core.models import Tenant
    from serval.people.models import User

    tenant = Tenant.objects.get(pk=item.tenant_id)
    homes = [*tenant.ancestor_ids(), tenant.pk]
    for role in ("manager", "admin"):
        candidates = User.objects.filter(role=role, is_active=True, tenant_id__in=homes)
        people = [
            u
            for u in candidates.exclude(pk__in=exclude).order_by("pk")[:20]
            if item.tenant_id in reach(u)
        ]
        if people:
            return people
    return []


def _fallback(item: WorkItem, exclude: set[int], why: str) -> list[tuple[User, str]]:
    reason = _("change manager (%s)") % why
    return [(u, reason) for u in change_managers(item, exclude)]


def resolve_approvers(step: PolicyStep, item: WorkItem) -> list[tuple[User, str]]:
    """(person, why) for one policy step on one item, as the item stands now.

    Empty only for a service-owners step on an item without impacted services (nothing to
    ask) or when the tenant has no change manager or administrator at all.
    """
    found: list[tuple[User, str]] = []
    kind = step.approver_kind
    missing = _("nobody was found")
    if kind == ApproverKind.USERS:
        found = [(u, _("named approver")) for u in step.users.filter(is_active=True)]
        missing = _("no named approver is available")
    elif kind == ApproverKind.TEAM and step.team is not None:
        found = [
            (u, _("member of %s") % step.team.name)
            for u in step.team.members.filter(is_active=True)
        ]
        missing = _("%s has no other member") % step.team.name
    elif kind == ApproverKind.GROUP_MANAGER:
        group = item.assignment_group
        if group is not None and group.manager is not None:
            found = [(group.manager, _("manager of %s") % group.name)]
        missing = (
            _("the change has no assignment group")
            if group is None
            else _("%s has no other manager") % group.name
        )
    elif kind == ApproverKind.REQUESTER_MANAGER:
        manager = item.caller.manager
        if manager is not None:
            found = [(manager, _("manager of %s") % item.caller.display_name)]
        missing = _("%s has no manager") % item.caller.display_name
    elif kind == ApproverKind.SERVICE_OWNERS:
        from serval.cmdb.models import ImpactedService

        rows = (
            ImpactedService.objects.filter(work_item=item)
            .select_related("service__owner")
            .order_by("service__name")
        )
        owners: dict[int, tuple[User, list[str]]] = {}
        unowned = 0
        for row in rows:
            owner = row.service.owner
            if owner is None:
                unowned += 1
            else:
                owners.setdefault(owner.pk, (owner, []))[1].append(row.service.name)
        if not owners and not unowned:
            return []  # no impacted service: nothing to ask (recorded as not applicable)
        found = [(u, _("owner of %s") % ", ".join(names)) for u, names in owners.values()]
        missing = _("no impacted service has an owner")
    elif kind == ApproverKind.BOARD and step.board is not None:
        found = [
            (u, _("member of %s") % step.board.name)
            for u in step.board.members.filter(is_active=True)
        ]
        missing = _("%s has no members") % step.board.name
    exclude = {pk for pk in (requester_id(item),) if pk is not None}
    seen: set[int] = set()
    people: list[tuple[User, str]] = []
    for user, why in found:
        if user.pk in exclude or user.pk in seen or not user.is_active:
            continue
        if item.tenant_id not in reach(user):
            continue
        seen.add(user.pk)
        people.append((user, why))
    return people or _fallback(item, exclude, missing)


def _needed(step: ApprovalStep, count: int) -> int:
    """Approvals that approve the step; never 0, so a step with nobody is never approved."""
    if step.mode == Mode.ALL:
        return max(1, count)
    if step.mode == Mode.QUORUM:
        return max(1, min(step.quorum, count))
    return 1


def outcome(step: ApprovalStep, states: list[str]) -> str | None:
    """The step's state after these approvals' states, or None while still open."""
    approved = states.count(ApprovalState.APPROVED)
    rejected = states.count(ApprovalState.REJECTED)
    waiting = states.count(ApprovalState.REQUESTED)
    need = _needed(step, approved + rejected + waiting)
    if step.mode == Mode.QUORUM:
        if approved >= need:
            return StepState.APPROVED
        if approved + waiting < need:
            return StepState.REJECTED
        return None
    if rejected:
        return StepState.REJECTED
    if approved >= need:
        return StepState.APPROVED
    return None


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
    now = timezone.now()
    for policy in policies_for(item):
        for pstep in policy.steps.filter(stage=stage).select_related("team", "board"):
            people = resolve_approvers(pstep, item)
            owners = pstep.approver_kind == ApproverKind.SERVICE_OWNERS
            step = ApprovalStep.objects.create(
                round=round_,
                stage=stage,
                order=pstep.order,
                label=pstep.label,
                approver_kind=pstep.approver_kind,
                board=pstep.board,
                mode=Mode.ALL if owners else pstep.mode,
                quorum=pstep.quorum,
            )
            if owners and not people:
                step.state, step.decided_at = StepState.SKIPPED, now
                step.comment = _("The change impacts no service.")
                step.save(update_fields=["state", "decided_at", "comment"])
                _record(
                    item, "approval_skipped", actor, step=step.pk, stage=stage, label=step.label
                )
                continue
            Approval.objects.bulk_create(
                Approval(
                    tenant_id=item.tenant_id,
                    step=step,
                    work_item=item,
                    approver=user,
                    reason=why[:200],
                    requested_at=now,
                )
                for user, why in people
            )
    return _advance(item, round_, stage, actor)


def _activate(item: WorkItem, steps: list[ApprovalStep], actor: User | None) -> None:
    now = timezone.now()
    for step in steps:
        step.state = StepState.PENDING
        step.save(update_fields=["state"])
        # The clock of "My approvals" starts when the step asks, not when it was planned.
        step.approvals.filter(state=ApprovalState.REQUESTED).update(requested_at=now)
        approvers = list(
            step.approvals.filter(state=ApprovalState.REQUESTED)
            .order_by("pk")
            .values_list("approver__username", flat=True)
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
        round=round_, stage=stage, state__in=OPEN_STEP_STATES
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
    ApprovalStep.objects.filter(round=round_, state__in=OPEN_STEP_STATES).update(
        state=StepState.CANCELLED, decided_at=now
    )
    round_.state, round_.ended_at = RoundState.CANCELLED, now
    round_.save(update_fields=["state", "ended_at"])
    _record(item, "approvals_cancelled", actor, round=round_.number, reason=reason)
    return cancelled


def finish_round(item: WorkItem) -> None:
    """Mark the current round approved (the kind calls this once its last stage is through)."""
    round_ = current_round(item)
    if round_ is not None and round_.state == RoundState.PENDING:
        round_.state, round_.ended_at = RoundState.APPROVED, timezone.now()
        round_.save(update_fields=["state", "ended_at"])


# --- who may decide ---------------------------------------------------------------------------


def delegators(actor: User, at: datetime | None = None) -> list[int]:
    """Ids of the people `actor` currently stands in for (not transitively)."""
    at = at or timezone.now()
    return list(
        Delegation.objects.filter(
            delegate=actor, starts_at__lte=at, ends_at__gt=at, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def delegates_of(user_ids: list[int], at: datetime | None = None) -> dict[int, list[int]]:
    """{approver id: [ids of their active delegates]} for these approvers."""
    at = at or timezone.now()
    out: dict[int, list[int]] = {}
    rows = Delegation.objects.filter(
        user_id__in=user_ids, starts_at__lte=at, ends_at__gt=at, delegate__is_active=True
    ).values_list("user_id", "delegate_id")
    for user_id, delegate_id in rows:
        out.setdefault(user_id, []).append(delegate_id)
    return out


def awaiting(actor: User) -> Q:
    """Filter for the approvals `actor` may decide now: their own and their delegators'.

    Never on items the actor asked for themselves (the requester does not approve their own,
    not even as someone's delegate).
    """
    return Q(
        state=ApprovalState.REQUESTED,
        step__state=StepState.PENDING,
        approver_id__in=[actor.pk, *delegators(actor)],
        tenant_id__in=reach(actor),
    ) & ~Q(work_item__caller_id=actor.pk)


def may_act_for(actor: User, approval: Approval, *, caller_id: int | None = None) -> bool:
    """The approver themselves or their active delegate, within reach, never the requester."""
    if not actor.is_active or approval.tenant_id not in reach(actor):
        return False
    if caller_id is None:
        caller_id = approval.work_item.caller_id
    if caller_id == actor.pk:
        return False
    return approval.approver_id == actor.pk or approval.approver_id in delegators(actor)


def is_open(approval: Approval) -> bool:
    return (
        approval.state == ApprovalState.REQUESTED
        and approval.step.state == StepState.PENDING
        and approval.step.round.state == RoundState.PENDING
    )


def can_decide(actor: User, approval: Approval) -> bool:
    return is_open(approval) and may_act_for(actor, approval)


# --- deciding ---------------------------------------------------------------------------------


def _clean_comment(comment: Any, *, approve: bool) -> str:
    text = optional_text(comment, field="comment", limit=MAX_COMMENT)
    if not approve and not text:
        raise ValidationFailed({"comment": _("Say why you reject it.")})
    return text


def decide(
    *,
    actor: User,
    approval: Approval,
    approve: bool,
    comment: Any = "",
    via: str = "web",
) -> Approval:
    """Approve or reject one approval (as the approver or their delegate); the item follows.

    One transaction, with the item's row locked before the approval is read again: a second
    decision racing this one waits, then finds the approval (or its step) no longer open.
    """
    from serval.work import actions as work
    from serval.work.models import WorkItem

    if not isinstance(approve, bool):
        raise ValidationFailed({"decision": _("Approve or reject.")})
    comment = _clean_comment(comment, approve=approve)
    with transaction.atomic():
        item = work.lock(WorkItem.objects.get(pk=approval.work_item_id))
        approval = (
            Approval.objects.select_for_update(of=("self",))
            .select_related("step__round", "approver")
            .get(pk=approval.pk)
        )
        if not may_act_for(actor, approval, caller_id=item.caller_id):
            raise PermissionDenied(_("You cannot decide this approval."))
        if not is_open(approval):
            raise ValidationFailed({"approval": _("This approval is no longer open.")})
        now = timezone.now()
        approval.state = ApprovalState.APPROVED if approve else ApprovalState.REJECTED
        approval.decided_by, approval.decided_at, approval.comment = actor, now, comment
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
            comment=comment,
            via=via if via in VIA else "web",
        )
        _settle(item, approval.step, actor, comment)
        work.bump(item, [])
    return approval


def decide_step(
    *,
    actor: User | None,
    step: ApprovalStep,
    approve: bool,
    comment: str = "",
    meeting: BoardMeeting | None = None,
) -> None:
    """Decide a whole step at once (a board's recorded decision); the caller checks authority.

    The step takes the decision directly, whatever its mode; its open approvals are closed as
    no longer required (the members did not decide individually). The item follows as for a
    single decision. The caller holds the item's row lock, inside its transaction, and bumps
    the item's version afterwards (re-reading it: the kind may have moved it on).
    """
    comment = _clean_comment(comment, approve=approve)
    step = (
        ApprovalStep.objects.select_for_update(of=("self",))
        .select_related("round__work_item", "board")
        .get(pk=step.pk)
    )
    if step.state != StepState.PENDING or step.round.state != RoundState.PENDING:
        raise ValidationFailed({"step": _("This step is no longer open.")})
    now = timezone.now()
    step.state = StepState.APPROVED if approve else StepState.REJECTED
    step.decided_by, step.decided_at, step.comment, step.meeting = actor, now, comment, meeting
    step.save(update_fields=["state", "decided_by", "decided_at", "comment", "meeting"])
    step.approvals.filter(state=ApprovalState.REQUESTED).update(
        state=ApprovalState.NOT_REQUIRED, decided_at=now
    )
    item = step.round.work_item
    _record(
        item,
        "approved" if approve else "rejected",
        actor,
        step=step.label,
        stage=step.stage,
        board=step.board.name if step.board else None,
        meeting=meeting.pk if meeting else None,
        comment=comment,
        via="meeting" if meeting else "web",
    )
    _conclude(item, step, actor, comment)


def _settle(item: WorkItem, step: ApprovalStep, actor: User | None, comment: str) -> None:
    """Re-evaluate a step after a decision, then its stage and round; call the kind back."""
    step = ApprovalStep.objects.select_for_update(of=("self",)).get(pk=step.pk)
    states = list(
        step.approvals.filter(
            state__in=(ApprovalState.APPROVED, ApprovalState.REJECTED, ApprovalState.REQUESTED)
        ).values_list("state", flat=True)
    )
    result = outcome(step, states)
    if result is None:
        return
    now = timezone.now()
    step.state, step.decided_at = result, now
    step.save(update_fields=["state", "decided_at"])
    step.approvals.filter(state=ApprovalState.REQUESTED).update(
        state=ApprovalState.NOT_REQUIRED, decided_at=now
    )
    _conclude(item, step, actor, comment)


def _conclude(item: WorkItem, step: ApprovalStep, actor: User | None, comment: str) -> None:
    """A step was just decided: reject the round, or move the stage on."""
    round_ = step.round
    hooks = _hooks(item)
    now = timezone.now()
    if step.state == StepState.REJECTED:
        Approval.objects.filter(step__round=round_, state=ApprovalState.REQUESTED).update(
            state=ApprovalState.NOT_REQUIRED, decided_at=now
        )
        ApprovalStep.objects.filter(round=round_, state__in=OPEN_STEP_STATES).update(
            state=StepState.CANCELLED, decided_at=now
        )
        round_.state, round_.ended_at = RoundState.REJECTED, now
        round_.save(update_fields=["state", "ended_at"])
        hooks.on_rejected(item, step.stage, actor, comment)
        return
    if _advance(item, round_, step.stage, actor):
        hooks.on_approved(item, step.stage, actor)
