"""Change actions: every write to a change goes through one of these (DESIGN.md rule 1).

`create_change`, `update_change` and `transition_change` check permission, validate, write,
journal and keep the derived data current — risk (`serval.changes.risk`), conflicts
(`serval.changes.conflicts`) and approvals (`serval.approvals.engine`) — in one transaction.

Rules from DOMAIN.md §2.3 enforced here:
- changes are agents' work; the type is editable only in New and before any approval round;
- a standard change starts from an active, approved template and skips authorization;
- while a change waits for approval or is scheduled, what was approved (planned window, plans,
  affected CIs) is frozen: revert it to New to re-plan, which cancels the approvals;
- submitting starts a fresh approval round; a rejection returns the change to New;
- entering Scheduled is authorizing: conflicts found then need an explicit override with a
  reason by a change manager, or the change waits in Authorize;
- the review is mandatory for unsuccessful, emergency and high-risk changes, and a change
  closes only when its tasks are closed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from serval.approvals import engine as approvals
from serval.changes import states as S
from serval.changes.models import (
    RISK_ORDER,
    ChangeDetail,
    ChangeReview,
    ChangeTemplate,
    ChangeType,
    CloseCode,
    Risk,
)
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.core.models import Tenant
from serval.core.numbering import next_number, number_ahead
from serval.core.tenancy import reach, reference_visible_in
from serval.core.text import optional_text
from serval.incidents.actions import priority_for
from serval.people.models import User
from serval.work import actions as work
from serval.work.fields import check_assignment, clean_fields, display
from serval.work.models import Channel, Kind, WorkItem

WORK_FIELDS = {
    "title",
    "description",
    "impact",
    "urgency",
    "caller",
    "assignment_group",
    "assignee",
    "category",
}
PLAN_FIELDS = ("justification", "implementation_plan", "backout_plan", "test_plan")
WINDOW_FIELDS = ("planned_start", "planned_end")
DETAIL_FIELDS = {
    "change_type",
    *PLAN_FIELDS,
    *WINDOW_FIELDS,
    "actual_start",
    "actual_end",
    "cab_date",
}
EDITABLE = WORK_FIELDS | DETAIL_FIELDS
# What the approvers approved: frozen from submission until the change is implemented.
FROZEN = {*WINDOW_FIELDS, "implementation_plan", "backout_plan", "change_type"}
FROZEN_STATES = (S.ASSESS, S.AUTHORIZE, S.SCHEDULED)
TEXT_LIMIT = 20000
REVIEW_RISKS = (Risk.HIGH, Risk.VERY_HIGH)


def _require_agent(actor: User | None) -> None:
    if actor is None or not actor.is_agent:
        raise PermissionDenied(_("Only agents can work on changes."))


def is_change_manager(actor: User | None) -> bool:
    return actor is not None and actor.role in S.CHANGE_MANAGERS


def detail_of(item: WorkItem, *, for_update: bool = False) -> ChangeDetail:
    qs = ChangeDetail.objects.select_related("template")
    if for_update:
        # OF self: PostgreSQL refuses FOR UPDATE on the nullable side of the template join.
        qs = qs.select_for_update(of=("self",))
    return qs.get(work_item_id=item.pk)


def machine(detail: ChangeDetail) -> Any:
    return S.machine_for(detail.change_type)


# --- cleaning -------------------------------------------------------------------------------


def _moment(value: Any, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValidationFailed({field: _("A date and time (ISO 8601).")}) from exc
    if not isinstance(value, datetime):
        raise ValidationFailed({field: _("A date and time.")})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not 1970 <= value.year <= 9000:
        raise ValidationFailed({field: _("Date out of range.")})
    return value


def _clean_detail(raw: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        try:
            if name == "change_type":
                if value not in ChangeType.values:
                    raise ValidationFailed({name: _("One of %s.") % ", ".join(ChangeType.values)})
                out[name] = value
            elif name in PLAN_FIELDS:
                out[name] = optional_text(value, field=name, limit=TEXT_LIMIT)
            else:
                out[name] = _moment(value, name)
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    return out


def _check_spans(values: dict[str, Any], detail: ChangeDetail) -> None:
    errors: dict[str, str] = {}
    for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
        a = values.get(start, getattr(detail, start))
        b = values.get(end, getattr(detail, end))
        if a is not None and b is not None and b <= a:
            errors[end] = _("Must be after the %s.") % start.replace("_", " ")
    if errors:
        raise ValidationFailed(errors)


def _split(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    unknown = sorted(set(raw) - EDITABLE)
    if unknown:
        raise ValidationFailed({f: _("This field cannot be set here.") for f in unknown})
    return (
        {k: v for k, v in raw.items() if k in WORK_FIELDS},
        {k: v for k, v in raw.items() if k in DETAIL_FIELDS},
    )


def _template_for(actor: User, tenant: Tenant, value: Any) -> ChangeTemplate:
    template = None
    if isinstance(value, ChangeTemplate):
        template = value
    elif isinstance(value, int) and not isinstance(value, bool):
        template = ChangeTemplate.objects.select_related("tenant").filter(pk=value).first()
    if template is None or not reference_visible_in(
        owner_tenant=template.tenant, shared=template.shared, target=tenant
    ):
        raise ValidationFailed({"template": _("Unknown template.")})
    if not template.usable:
        raise ValidationFailed(
            {"template": _("This template is not approved for use (or is retired).")}
        )
    return template


# --- hooks to the derived data --------------------------------------------------------------


def _refresh(item: WorkItem, detail: ChangeDetail, *, actor: User | None) -> None:
    """Recompute risk and conflicts after anything they read may have changed."""
    from serval.changes import conflicts, risk

    conflicts.refresh(item=item, detail=detail)  # first: risk reads the stored conflicts
    risk.recalculate(item=item, detail=detail, actor=actor)


def links_changed(item: WorkItem, actor: User | None) -> None:
    """Called by `serval.cmdb.worklinks` after a change's CIs or services changed."""
    detail = detail_of(item, for_update=True)
    _refresh(item, detail, actor=actor)


def check_links_editable(item: WorkItem) -> None:
    """Called by `serval.cmdb.worklinks` before linking: affected CIs freeze with the plan."""
    if item.state in FROZEN_STATES:
        raise ValidationFailed(
            {"ci": _("The affected CIs were approved as they are; revert the change to re-plan.")}
        )
    if item.state in S.DONE_STATES:
        raise ValidationFailed({"ci": _("This change is closed.")})


# --- create and update ----------------------------------------------------------------------


def create_change(
    *,
    actor: User,
    tenant: Tenant | None = None,
    template: Any = None,
    **raw: Any,
) -> WorkItem:
    """Raise a change; from a template it is a standard change with the template's plans."""
    _require_agent(actor)
    tenant = tenant or actor.tenant
    if tenant.pk not in reach(actor):
        raise NotFound(_("Unknown tenant."))
    work_raw, detail_raw = _split(raw)
    model = _template_for(actor, tenant, template) if template is not None else None
    if model is not None:
        if detail_raw.get("change_type", ChangeType.STANDARD) != ChangeType.STANDARD:
            raise ValidationFailed({"change_type": _("A template makes a standard change.")})
        detail_raw["change_type"] = ChangeType.STANDARD
        for name in PLAN_FIELDS:
            detail_raw.setdefault(name, getattr(model, name))
        work_raw.setdefault("title", model.title)
        work_raw.setdefault("description", model.description)
        work_raw.setdefault("category", model.category)
        work_raw.setdefault("impact", model.impact)
        work_raw.setdefault("urgency", model.urgency)
        if model.assignment_group_id:
            work_raw.setdefault("assignment_group", model.assignment_group_id)
    elif detail_raw.get("change_type") == ChangeType.STANDARD:
        raise ValidationFailed(
            {"template": _("A standard change starts from an approved template.")}
        )
    work_raw.setdefault("caller", actor.pk)
    work_raw.setdefault("title", "")
    item = WorkItem(
        tenant=tenant,
        kind=Kind.CHANGE,
        state=S.NEW,
        opened_by=actor,
        caller=actor,
        channel=Channel.API,
    )
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    detail_values: dict[str, Any] = {}
    for clean, source, into in (
        (lambda r: clean_fields(item, r), work_raw, values),
        (_clean_detail, detail_raw, detail_values),
    ):
        try:
            into.update(clean(source))
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    detail = ChangeDetail(template=model, **detail_values)
    _check_spans(detail_values, detail)
    check_assignment(values, item)
    number = number_ahead("CHG")  # the last step before the write: nothing left to refuse it
    with transaction.atomic():
        for name, value in values.items():
            setattr(item, name, value)
        if item.organization_id is None and item.caller.organization_id:
            item.organization_id = item.caller.organization_id
        item.priority = priority_for(item.impact, item.urgency)
        item.number = number or next_number("CHG")
        item.opened_at = timezone.now()
        item.save(force_insert=True)
        detail.work_item = item
        detail.save(force_insert=True)
        work.record(
            item,
            verb="created",
            actor=actor,
            data={
                "number": item.number,
                "state": item.state,
                "change_type": detail.change_type,
                "template": model.name if model else None,
                "priority": item.priority,
                "fields": {
                    k: display(v)
                    for k, v in {**values, **detail_values}.items()
                    if k not in ("description", *PLAN_FIELDS)
                },
            },
        )
        if model is not None and model.tasks:
            from serval.changes import tasks as change_tasks

            change_tasks.create_from_template(change=item, template=model, actor=actor)
        _refresh(item, detail, actor=actor)
    return item


def update_change(
    *, actor: User, item: WorkItem, expected_version: int | None = None, **raw: Any
) -> WorkItem:
    """Edit a change's fields; what approvers approved is frozen while they decide."""
    _require_agent(actor)
    work_raw, detail_raw = _split(raw)
    with transaction.atomic():
        item = work.lock(item)
        work.check_version(item, expected_version)
        detail = detail_of(item, for_update=True)
        if item.state in S.DONE_STATES and not actor.is_admin:
            raise PermissionDenied(_("Closed changes are read-only."))
        values = clean_fields(item, work_raw) if work_raw else {}
        detail_values = _clean_detail(detail_raw) if detail_raw else {}
        changed = {k for k, v in detail_values.items() if getattr(detail, k) != v}
        # An empty field was not approved: an emergency change completes its documentation
        # afterwards (DOMAIN.md §2.3); what has a value keeps it.
        frozen = (
            sorted(f for f in changed & FROZEN if getattr(detail, f) not in (None, ""))
            if item.state in FROZEN_STATES
            else []
        )
        if frozen:
            raise ValidationFailed(
                {f: _("Approved as it is; revert the change to New to re-plan.") for f in frozen}
            )
        if "change_type" in changed:
            if item.state != S.NEW or detail.approval_round:
                raise ValidationFailed(
                    {"change_type": _("The type can change only in New, before any approval.")}
                )
            if detail_values["change_type"] == ChangeType.STANDARD and detail.template_id is None:
                raise ValidationFailed(
                    {"change_type": _("A standard change starts from an approved template.")}
                )
        _check_spans(detail_values, detail)
        if "assignment_group" in values and values["assignment_group"] != item.assignment_group:
            current = values.get("assignee", item.assignee)
            group = values["assignment_group"]
            if (
                current is not None
                and current == item.assignee
                and (group is None or not group.members.filter(pk=current.pk).exists())
            ):
                values["assignee"] = None
        check_assignment(values, item)
        changes: dict[str, list[Any]] = {}
        for name, new in values.items():
            old = getattr(item, name)
            if old != new:
                changes[name] = [display(old), display(new)]
                if name == "assignment_group" and old is not None:
                    item.reassignment_count += 1
                setattr(item, name, new)
        touched = set(changes)
        if {"impact", "urgency"} & touched:
            priority = priority_for(item.impact, item.urgency)
            if priority != item.priority:
                changes["priority"] = [item.priority, priority]
                item.priority = priority
                touched.add("priority")
        if "assignment_group" in touched:
            touched.add("reassignment_count")
        if "caller" in touched:
            item.organization_id = item.caller.organization_id
            touched.add("organization")
        for name in changed:
            old = getattr(detail, name)
            new = detail_values[name]
            changes[name] = [None, None] if name in PLAN_FIELDS else [display(old), display(new)]
            setattr(detail, name, new)
        if not changes:
            return item
        if changed:
            detail.save(update_fields=sorted(changed))
        work.record(item, verb="updated", actor=actor, data={"changes": changes})
        work.bump(item, sorted(touched))
        if changes.keys() & {"planned_start", "planned_end", "assignee", "change_type", "impact"}:
            _refresh(item, detail, actor=actor)
    return item


# --- transitions ----------------------------------------------------------------------------

TRANSITION_FIELDS = {
    "close_code",
    "close_notes",
    "cancel_reason",
    "comment",
    "conflict_override_reason",
}


def transition_change(
    *, actor: User, item: WorkItem, to: str, expected_version: int | None = None, **fields: Any
) -> WorkItem:
    """Move a change along its type's path; approvals and conflicts decide what follows."""
    _require_agent(actor)
    unknown = sorted(set(fields) - TRANSITION_FIELDS)
    if unknown:
        raise ValidationFailed({f: _("Not accepted for this transition.") for f in unknown})
    with transaction.atomic():
        item = work.lock(item)
        work.check_version(item, expected_version)
        detail = detail_of(item, for_update=True)
        transition = machine(detail).get(item, actor, to)
        errors: dict[str, str] = {}
        for name in transition.requires:
            value = fields.get(name)
            if not isinstance(value, str) or not value.strip():
                errors[name] = _("This field is required for this transition.")
        for name in ("close_notes", "cancel_reason", "conflict_override_reason"):
            if name in fields and name not in errors:
                try:
                    fields[name] = optional_text(fields[name], field=name, limit=TEXT_LIMIT)
                except ValidationFailed as exc:
                    errors.update(exc.as_dict())
        if (
            "close_code" in transition.requires
            and "close_code" not in errors
            and fields["close_code"] not in CloseCode.values
        ):
            errors["close_code"] = _("One of %s.") % ", ".join(CloseCode.values)
        comment = fields.get("comment")
        if comment is not None:
            try:
                comment = work.clean_body(comment, field="comment")
            except ValidationFailed as exc:
                errors.update(exc.as_dict())
        if errors:
            raise ValidationFailed(errors)
        _enter(item, detail, to, actor=actor, fields=fields)
        if comment:
            work.record(item, verb="comment", actor=actor, data={"body": comment})
            work.bump(item, [])
    return item


def _missing(item: WorkItem, detail: ChangeDetail, to: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in S.PRECONDITIONS[detail.change_type].get(to, ()):
        owner: Any = detail if hasattr(detail, name) else item
        value = getattr(owner, name)
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            errors[name] = (
                _("Needed before the change can move to %s.") % machine(detail).states[to].label
            )
    return errors


def review_required(item: WorkItem, detail: ChangeDetail) -> bool:
    """PIR is mandatory for unsuccessful, emergency and high-risk changes (DOMAIN.md §2.3)."""
    return (
        item.close_code == CloseCode.UNSUCCESSFUL
        or detail.change_type == ChangeType.EMERGENCY
        or RISK_ORDER.get(Risk(detail.risk), 0) >= RISK_ORDER[Risk.HIGH]
    )


def uncovered_conflicts(detail: ChangeDetail) -> list[Any]:
    """Current conflicts the override (if any) did not cover."""
    from serval.changes.models import ChangeConflict

    covered = set(detail.conflict_override_keys or [])
    return [c for c in ChangeConflict.objects.filter(change_id=detail.pk) if c.key not in covered]


def _authorize(
    item: WorkItem, detail: ChangeDetail, *, actor: User | None, reason: str | None
) -> bool:
    """Conflicts before Scheduled: True if clear or overridden now (with a reason), else False.

    Raises with a field error when a person asked for the move without a valid override; the
    approval engine (no person moving the change) gets False and the change waits.
    """
    from serval.changes import conflicts

    conflicts.refresh(item=item, detail=detail)
    open_ = uncovered_conflicts(detail)
    if not open_:
        return True
    if not reason:
        if actor is None:
            return False
        raise ValidationFailed(
            {
                "conflict_override_reason": _(
                    "This change has %d unresolved conflicts; a change manager must give a "
                    "reason to schedule it anyway."
                )
                % len(open_)
            }
        )
    if not is_change_manager(actor):
        raise PermissionDenied(_("Only a change manager can override conflicts."))
    assert actor is not None
    from serval.changes.models import ChangeConflict

    keys = sorted(c.key for c in ChangeConflict.objects.filter(change_id=detail.pk))
    detail.conflict_override_reason = reason
    detail.conflict_override_by, detail.conflict_override_at = actor, timezone.now()
    detail.conflict_override_keys = keys
    detail.save(
        update_fields=[
            "conflict_override_reason",
            "conflict_override_by",
            "conflict_override_at",
            "conflict_override_keys",
        ]
    )
    work.record(
        item,
        verb="conflicts_overridden",
        actor=actor,
        data={"reason": reason, "conflicts": [c.get_rule_display() for c in open_]},
    )
    return True


def _enter(
    item: WorkItem,
    detail: ChangeDetail,
    to: str,
    *,
    actor: User | None,
    fields: dict[str, Any],
) -> None:
    """Apply one state change with its rules and follow-ups (the item and detail are locked)."""
    errors = _missing(item, detail, to)
    if to == S.CLOSED:
        from serval.changes import tasks as change_tasks

        if change_tasks.open_count(item):
            errors["tasks"] = _("Close or cancel the change tasks first.")
        if review_required(item, detail):
            review = ChangeReview.objects.filter(change=detail).first()
            if review is None or review.completed_at is None:
                errors["review"] = _(
                    "A post-implementation review is required for this change before closing."
                )
    if errors and actor is None:
        # The approval engine moving it on: the change waits for a person to complete it.
        work.record(
            item,
            verb="schedule_blocked",
            actor=None,
            data={"reason": "missing", "fields": sorted(errors)},
        )
        work.bump(item, [])
        return
    if errors:
        raise ValidationFailed(errors)
    if to == S.SCHEDULED and not _authorize(
        item, detail, actor=actor, reason=fields.get("conflict_override_reason")
    ):
        work.record(
            item,
            verb="schedule_blocked",
            actor=None,
            data={"reason": "conflicts", "count": len(uncovered_conflicts(detail))},
        )
        work.bump(item, [])
        return
    before = item.state
    if before == S.NEW and to != S.CANCELLED:
        # Submitting: the approvals (and the review rule) go by the risk as of now.
        from serval.changes import risk

        risk.recalculate(item=item, detail=detail, actor=actor)
    now = timezone.now()
    data: dict[str, Any] = {"from": before, "to": to}
    touched = {"state", "active"}
    detail_touched: set[str] = set()
    if to == S.NEW:
        approvals.cancel_open(item=item, actor=actor, reason=_("reverted to new"))
        if fields.get("_rejected"):
            data["rejected"] = fields["_rejected"]
    elif to in (S.ASSESS, S.AUTHORIZE) and before == S.NEW:
        detail.approval_round += 1
        detail_touched.add("approval_round")
        approvals.start_round(item=item, actor=actor)
    elif to == S.IMPLEMENT:
        if detail.actual_start is None:
            detail.actual_start = now
            detail_touched.add("actual_start")
    elif to == S.REVIEW:
        item.close_code, item.close_notes = fields["close_code"], fields["close_notes"]
        item.resolved_at, item.resolved_by = now, actor
        touched |= {"close_code", "close_notes", "resolved_at", "resolved_by"}
        data.update(close_code=item.close_code, close_notes=item.close_notes)
        if detail.actual_end is None:
            detail.actual_end = now
            detail_touched.add("actual_end")
    elif to == S.CLOSED:
        item.closed_at, item.active = now, False
        touched.add("closed_at")
    elif to == S.CANCELLED:
        approvals.cancel_open(item=item, actor=actor, reason=_("change cancelled"))
        from serval.changes import tasks as change_tasks

        change_tasks.cancel_open(change=item, actor=actor)
        item.cancel_reason = fields["cancel_reason"]
        item.closed_at, item.active = now, False
        data["cancel_reason"] = item.cancel_reason
        touched |= {"cancel_reason", "closed_at"}
    if to == S.SCHEDULED:
        approvals.finish_round(item)
    if to in (S.NEW, S.CANCELLED) and detail.conflict_override_keys:
        detail.conflict_override_keys, detail.conflict_override_reason = [], ""
        detail.conflict_override_by = detail.conflict_override_at = None
        detail_touched |= {
            "conflict_override_keys",
            "conflict_override_reason",
            "conflict_override_by",
            "conflict_override_at",
        }
    if detail_touched:
        detail.save(update_fields=sorted(detail_touched))
    item.state = to
    work.record(item, verb="transition", actor=actor, data=data)
    work.bump(item, sorted(touched))
    from serval.changes import conflicts

    conflicts.refresh(item=item, detail=detail)
    if S.IMPLEMENT in (before, to):
        # Its CIs go into (or come out of) maintenance: impact walks near them change.
        from serval.cmdb import worklinks
        from serval.cmdb.models import WorkItemCI

        ci_ids = list(WorkItemCI.objects.filter(work_item=item).values_list("ci_id", flat=True))
        if ci_ids:
            worklinks.cmdb_changed(ci_ids)
    if to == S.NEW:  # reverted or rejected: planning again, so the risk moves again
        from serval.changes import risk

        risk.recalculate(item=item, detail=detail, actor=actor)
    if to in S.APPROVAL_STATES and approvals.start_stage(item=item, stage=to, actor=actor):
        _stage_approved(item, to, actor)


def _stage_approved(item: WorkItem, stage: str, actor: User | None) -> None:
    """A stage's approvals are complete (or there were none): move to the next state."""
    detail = detail_of(item, for_update=True)
    if stage == S.ASSESS:
        _enter(item, detail, S.AUTHORIZE, actor=None, fields={})
    elif stage == S.AUTHORIZE:
        _enter(item, detail, S.SCHEDULED, actor=None, fields={})


def _on_approved(item: WorkItem, stage: str, actor: User | None) -> None:
    item.refresh_from_db()
    if item.state == stage:
        _stage_approved(item, stage, actor)


def _on_rejected(item: WorkItem, stage: str, actor: User | None, comment: str) -> None:
    item.refresh_from_db()
    if item.state in S.APPROVAL_STATES:
        detail = detail_of(item, for_update=True)
        _enter(item, detail, S.NEW, actor=actor, fields={"_rejected": comment or stage})


def _policy_matches(policy: Any, item: WorkItem) -> bool:
    detail = ChangeDetail.objects.only("change_type", "risk").get(work_item_id=item.pk)
    return (not policy.change_types or detail.change_type in policy.change_types) and (
        not policy.risks or detail.risk in policy.risks
    )


def register_approvals() -> None:
    """Wire changes into the approval engine (ChangesConfig.ready)."""
    approvals.register(
        Kind.CHANGE,
        matches=_policy_matches,
        on_approved=_on_approved,
        on_rejected=_on_rejected,
        stages=S.APPROVAL_STATES,
        # Standard changes are pre-authorized by their template: no policy applies to them.
        filters={
            "change_types": (ChangeType.NORMAL, ChangeType.EMERGENCY),
            "risks": tuple(Risk.values),
        },
    )


# --- comments -------------------------------------------------------------------------------


def comment_on_change(*, actor: User, item: WorkItem, body: Any, internal: bool = False) -> None:
    """A comment or work note on a change (agents; approvers who are not agents may comment)."""
    body = work.clean_body(body)
    with transaction.atomic():
        item = work.lock(item)
        if item.state in S.DONE_STATES and not actor.is_agent:
            raise PermissionDenied(_("This change is closed."))
        work.do_add_comment(item=item, actor=actor, body=body, internal=internal)
