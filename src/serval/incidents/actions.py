"""Incident actions: every write to an incident goes through one of these (DESIGN.md rule 1).

`create_incident`, `update_incident`, `transition_incident`, `comment_on_incident` and the major
incident moves each check permission, validate, write, journal and (later) enqueue follow-ups in
one transaction. Views, API endpoints, the CLI and tasks only adapt their inputs to these.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from serval.core import journal, refcache
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.core.models import Tenant
from serval.core.numbering import next_number, number_ahead
from serval.core.rawrows import Inserter
from serval.core.tenancy import reach
from serval.core.text import optional_text
from serval.incidents import states as S
from serval.incidents.models import DEFAULT_MATRIX, IncidentDetail, MajorState, PriorityRule
from serval.people.models import User
from serval.work import actions as work
from serval.work.fields import TEXT_LIMITS as TEXT_LIMITS
from serval.work.fields import check_assignment as _check_assignment
from serval.work.fields import clean_fields as _clean_fields
from serval.work.fields import display as _display
from serval.work.models import Channel, Kind, WorkItem

AGENT_FIELDS = {
    "title",
    "description",
    "impact",
    "urgency",
    "caller",
    "assignment_group",
    "assignee",
    "service",
    "configuration_item",
    "category",
    "channel",
    "parent",
    "due_date",
}
REQUESTER_CREATE_FIELDS = {
    "title",
    "description",
    "impact",
    "urgency",
    "service",
    "configuration_item",
    "category",
    "channel",
}
CLOSE_CODE_KEYS = {k for k, _ in S.CLOSE_CODES}
HOLD_REASON_KEYS = {k for k, _ in S.HOLD_REASONS}


def _matrix() -> dict[tuple[int, int], int]:
    cells = dict(DEFAULT_MATRIX)
    for impact, urgency, priority in PriorityRule.objects.values_list(
        "impact", "urgency", "priority"
    ):
        cells[(impact, urgency)] = priority
    return cells


def priority_for(impact: int, urgency: int) -> int:
    """Look up the admin-editable matrix (cached per process under the reference version,
    serval.core.refcache); DOMAIN.md's seed fills a missing cell."""
    return refcache.get("priority_matrix", _matrix)[(impact, urgency)]


def set_priority_rule(*, actor: User, impact: int, urgency: int, priority: int) -> PriorityRule:
    """Change one cell of the impact × urgency matrix (admins only), journaled to the matrix."""
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can change the priority matrix.")
    errors: dict[str, str] = {}
    for name, value, top in (
        ("impact", impact, 3),
        ("urgency", urgency, 3),
        ("priority", priority, 5),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            errors[name] = f"Between 1 and {top}."
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        # Locking every cell serialises matrix edits, which keeps the journal chain linear.
        rules = list(PriorityRule.objects.select_for_update().order_by("impact", "urgency"))
        rule = next((r for r in rules if (r.impact, r.urgency) == (impact, urgency)), None)
        old = rule.priority if rule else DEFAULT_MATRIX[(impact, urgency)]
        if rule is None:
            rule = PriorityRule.objects.create(impact=impact, urgency=urgency, priority=priority)
        elif rule.priority != priority:
            rule.priority = priority
            rule.save(update_fields=["priority"])
        if old != priority:
            refcache.changed()
            journal.append(
                tenant=actor.tenant_id,
                subject_type="priority_matrix",
                subject_id=0,
                verb="updated",
                actor=actor,
                data={"impact": impact, "urgency": urgency, "priority": [old, priority]},
            )
    return rule


# The rows of every create, with INSERTs written once per process (issue 6).
_insert_item, _insert_detail = Inserter(WorkItem), Inserter(IncidentDetail)


def create_incident(*, actor: User, tenant: Tenant | None = None, **raw: Any) -> WorkItem:
    """Log a new incident; requesters log for themselves and cannot route or prioritise it."""
    tenant = tenant or actor.tenant
    if tenant.pk not in reach(actor):
        raise NotFound("Unknown tenant.")
    allowed = AGENT_FIELDS if actor.is_agent else REQUESTER_CREATE_FIELDS
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ValidationFailed({f: "You cannot set this field." for f in unknown})
    raw.setdefault("title", "")
    item = WorkItem(
        tenant=tenant,
        kind=Kind.INCIDENT,
        state=S.INCIDENT.initial,
        opened_by=actor,
        caller=actor,
        channel=Channel.API,
    )
    values = _clean_fields(item, raw)
    # No caller given: the actor, who is active and works in the tenant (checked above), as
    # resolving them again would confirm.
    values.setdefault("caller", actor)
    _check_assignment(values, item)
    number = number_ahead("INC")  # the last step before the write: nothing left to refuse it
    with transaction.atomic():
        for name, value in values.items():
            setattr(item, name, value)
        if item.organization_id is None and item.caller.organization_id:
            item.organization_id = item.caller.organization_id
        item.priority = priority_for(item.impact, item.urgency)
        item.number = number or next_number("INC")
        item.opened_at = timezone.now()
        _insert_item(item)
        _insert_detail(IncidentDetail(work_item=item))
        # New in this transaction: its journal chain is empty and only this block appends.
        with journal.new_subject(work.SUBJECT, item.pk):
            work.record(
                item,
                verb="created",
                actor=actor,
                data={
                    "number": item.number,
                    "state": item.state,
                    "priority": item.priority,
                    "fields": {k: _display(v) for k, v in values.items() if k != "description"},
                },
            )
            __import__("serval.sla.engine").sla.engine.evaluate(item, new=True)  # SLA clocks
    return item


def update_incident(
    *,
    actor: User | None,
    item: WorkItem,
    expected_version: int | None = None,
    system: bool = False,
    **raw: Any,
) -> WorkItem:
    """Change fields of an open incident; priority follows impact and urgency.

    `system=True` with `actor=None` is Serval itself acting (an SLA escalation reassigning the
    item); it is journaled with no actor, which the timeline shows as the system.
    """
    if not (system and actor is None) and (actor is None or not actor.is_agent):
        raise PermissionDenied("Only agents can edit incidents.")
    unknown = sorted(set(raw) - AGENT_FIELDS)
    if unknown:
        raise ValidationFailed({f: "This field cannot be changed here." for f in unknown})
    with transaction.atomic():
        item = work.lock(item)
        work.check_version(item, expected_version)
        if item.state in (S.CLOSED, S.CANCELLED) and not (actor and actor.is_admin):
            raise PermissionDenied("Closed incidents are read-only.")
        values = _clean_fields(item, raw)
        if "assignment_group" in values and values["assignment_group"] != item.assignment_group:
            current = values.get("assignee", item.assignee)
            group = values["assignment_group"]
            # Only the assignee the item already had is dropped on a group change; a newly
            # chosen one who is not a member is an error (_check_assignment), not silently lost.
            if (
                current is not None
                and current == item.assignee
                and (group is None or not group.members.filter(pk=current.pk).exists())
            ):
                values["assignee"] = None
        if (
            "assignment_group" in values
            and values["assignment_group"] is None
            and item.state in (S.IN_PROGRESS, S.ON_HOLD)
        ):
            raise ValidationFailed(
                {"assignment_group": "An incident being worked on needs an assignment group."}
            )
        _check_assignment(values, item)
        changes = _apply(item, values)
        if not changes:
            return item
        work.record(item, verb="updated", actor=actor, data={"changes": changes})
        work.bump(item, list(_changed_fields(changes)))
    return item


def _changed_fields(changes: dict[str, Any]) -> set[str]:
    names = set(changes)
    if {"impact", "urgency"} & names:
        names.add("priority")
    if "assignment_group" in names:
        names.add("reassignment_count")
    return names | ({"organization"} if "caller" in names else set())


def _apply(item: WorkItem, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set values on the item, returning {field: [old, new]} for the journal."""
    changes: dict[str, list[Any]] = {}
    for name, new in values.items():
        old = getattr(item, name)
        if old == new:
            continue
        changes[name] = [_display(old), _display(new)]
        if name == "assignment_group" and old is not None:
            item.reassignment_count += 1
        setattr(item, name, new)
    if "impact" in changes or "urgency" in changes:
        new_priority = priority_for(item.impact, item.urgency)
        if new_priority != item.priority:
            changes["priority"] = [item.priority, new_priority]
            item.priority = new_priority
    if "caller" in changes:
        item.organization_id = item.caller.organization_id
    return changes


def transition_incident(
    *, actor: User, item: WorkItem, to: str, expected_version: int | None = None, **fields: Any
) -> WorkItem:
    """Move an incident along its state machine, enforcing each transition's required fields."""
    with transaction.atomic():
        item = work.lock(item)
        work.check_version(item, expected_version)
        transition = S.INCIDENT.get(item, actor, to)
        allowed_extra = set(transition.requires) | {"comment"}
        if actor.is_agent:
            allowed_extra |= {"assignment_group", "assignee"}
        else:
            # A requester reopening relies on the existing group; routing is agents' work (A8).
            allowed_extra -= {"assignment_group", "assignee"}
        unknown = sorted(set(fields) - allowed_extra)
        if unknown:
            raise ValidationFailed({f: "Not accepted for this transition." for f in unknown})
        _do_transition(item=item, actor=actor, to=to, fields=fields, requires=transition.requires)
    return item


def _do_transition(
    *,
    item: WorkItem,
    actor: User | None,
    to: str,
    fields: dict[str, Any],
    requires: tuple[str, ...],
) -> None:
    errors: dict[str, str] = {}
    routing = {
        k: fields[k] for k in ("assignment_group", "assignee") if fields.get(k) not in (None, "")
    }
    values = _clean_fields(item, routing) if routing else {}
    if values:
        _check_assignment(values, item)
    now = timezone.now()
    before = item.state
    data: dict[str, Any] = {"from": before, "to": to}
    comment = fields.get("comment")
    for name in requires:
        present = (
            values.get(name, getattr(item, name, None))
            if name == "assignment_group"
            else fields.get(name)
        )
        # Whitespace is not a reason: "   " as resolution notes or cancel reason is missing.
        if present is None or (isinstance(present, str) and not present.strip()):
            errors[name] = "This field is required for this transition."
    if (
        "close_code" in requires
        and "close_code" not in errors
        and fields.get("close_code")
        and (
            not isinstance(fields["close_code"], str) or fields["close_code"] not in CLOSE_CODE_KEYS
        )
    ):
        errors["close_code"] = f"One of {', '.join(sorted(CLOSE_CODE_KEYS))}."
    if "hold_reason" in requires and "hold_reason" not in errors and fields.get("hold_reason"):
        if not isinstance(fields["hold_reason"], str) or (
            fields["hold_reason"] not in HOLD_REASON_KEYS
        ):
            errors["hold_reason"] = f"One of {', '.join(sorted(HOLD_REASON_KEYS))}."
        elif fields["hold_reason"] == "awaiting_caller" and not (comment or "").strip():
            errors["comment"] = "Tell the caller what you need: a comment is required."
    for name in ("close_notes", "cancel_reason"):
        if name in fields and fields[name] is not None and not isinstance(fields[name], str):
            errors[name] = "Must be text."
        elif isinstance(fields.get(name), str) and len(fields[name]) > 20000:
            errors[name] = "At most 20000 characters."
        elif isinstance(fields.get(name), str) and "\x00" in fields[name]:
            errors[name] = "Must not contain NUL characters."
    if comment is not None:
        try:
            comment = work.clean_body(comment, field="comment")
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)

    changes = _apply(item, values)
    if changes:
        data["changes"] = changes
    touched = set(_changed_fields(changes)) | {"state", "active"}
    if to == S.IN_PROGRESS:
        if before == S.RESOLVED:
            item.reopen_count += 1
            item.resolved_at = item.resolved_by = None
            item.close_code = item.close_notes = ""
            touched |= {"reopen_count", "resolved_at", "resolved_by", "close_code", "close_notes"}
        item.hold_reason = ""
        touched.add("hold_reason")
    elif to == S.ON_HOLD:
        item.hold_reason = data["hold_reason"] = fields["hold_reason"]
        touched.add("hold_reason")
    elif to == S.NEW:  # only the caller's reply to an ungrouped hold leads back here
        item.hold_reason = ""
        touched.add("hold_reason")
    elif to == S.RESOLVED:
        item.close_code, item.close_notes = fields["close_code"], fields["close_notes"].strip()
        item.resolved_at, item.resolved_by, item.hold_reason = now, actor, ""
        data.update(close_code=item.close_code, close_notes=item.close_notes)
        touched |= {"close_code", "close_notes", "resolved_at", "resolved_by", "hold_reason"}
    elif to == S.CLOSED:
        item.closed_at, item.active = now, False
        touched.add("closed_at")
    elif to == S.CANCELLED:
        item.cancel_reason = fields["cancel_reason"].strip()
        item.closed_at, item.active = now, False
        data["cancel_reason"] = item.cancel_reason
        touched |= {"cancel_reason", "closed_at"}
    item.state = to
    work.record(item, verb="transition", actor=actor, data=data)
    if comment:
        work.record(item, verb="comment", actor=actor, data={"body": comment})
    work.bump(item, sorted(touched))
    if to == S.RESOLVED:
        _resolve_children(item, actor)


def _resolve_children(parent: WorkItem, actor: User | None) -> None:
    """Resolving a parent resolves its open children with a note pointing at the parent."""
    children = WorkItem.objects.select_for_update().filter(parent=parent, state__in=S.OPEN_STATES)
    for child in children:
        _do_transition(
            item=child,
            actor=actor,
            to=S.RESOLVED,
            requires=("close_code", "close_notes"),
            fields={
                "close_code": "resolved_by_parent",
                "close_notes": f"Resolved with parent incident {parent.number}: "
                f"{parent.close_notes}",
            },
        )


def comment_on_incident(*, actor: User, item: WorkItem, body: Any, internal: bool = False) -> None:
    """Add a comment or work note; the caller's reply takes an incident off 'awaiting caller'."""
    body = work.clean_body(body)
    with transaction.atomic():
        item = work.lock(item)
        if item.state in (S.CLOSED, S.CANCELLED) and not actor.is_agent:
            raise PermissionDenied("This incident is closed; open a new one.")
        work.do_add_comment(item=item, actor=actor, body=body, internal=internal)
        if (
            not internal
            and item.state == S.ON_HOLD
            and item.hold_reason == "awaiting_caller"
            and actor.pk == item.caller_id
        ):
            item.refresh_from_db()
            # Back to In Progress (§2.1) — which needs a group; an incident put on hold before
            # anyone took it returns to the New queue instead of an unowned In Progress.
            to = S.IN_PROGRESS if item.assignment_group_id else S.NEW
            _do_transition(item=item, actor=actor, to=to, fields={}, requires=())


def close_resolved_incidents(*, now: datetime | None = None, days: int) -> int:
    """Close incidents resolved more than `days` ago (0 disables); safe to run twice."""
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    ids = list(
        WorkItem.objects.filter(
            kind=Kind.INCIDENT, state=S.RESOLVED, resolved_at__lte=cutoff
        ).values_list("pk", flat=True)[:1000]
    )
    closed = 0
    for pk in ids:
        with transaction.atomic():
            item = WorkItem.objects.select_for_update().filter(pk=pk, state=S.RESOLVED).first()
            if item is None:
                continue
            _do_transition(item=item, actor=None, to=S.CLOSED, fields={}, requires=())
            closed += 1
    return closed


# --- major incidents ----------------------------------------------------------------------


def _optional_text(value: Any, *, field: str, limit: int = 4000) -> str:
    """Optional free text: non-text or NUL (a PostgreSQL error) is refused, then cut to size."""
    return optional_text(value, field=field, limit=10**6)[:limit]


def propose_major(*, actor: User, item: WorkItem, business_impact: str = "") -> WorkItem:
    """Any agent may propose an open incident as a major-incident candidate."""
    if not actor.is_agent:
        raise PermissionDenied("Only agents can propose a major incident.")
    business_impact = _optional_text(business_impact, field="business_impact")
    with transaction.atomic():
        item = work.lock(item)
        detail = IncidentDetail.objects.select_for_update().get(work_item=item)
        if item.state not in S.OPEN_STATES:
            raise ValidationFailed({"state": "Only open incidents can be proposed."})
        if detail.major_state in (MajorState.PROPOSED, MajorState.ACCEPTED):
            raise ValidationFailed({"major_state": "Already proposed or accepted."})
        detail.major_state = MajorState.PROPOSED
        detail.major_proposed_by, detail.major_proposed_at = actor, timezone.now()
        detail.business_impact = business_impact
        detail.save()
        work.record(
            item,
            verb="major_proposed",
            actor=actor,
            data={"business_impact": detail.business_impact},
        )
        work.bump(item, [])
    return item


def decide_major(*, actor: User, item: WorkItem, accept: bool, reason: str = "") -> WorkItem:
    """A manager accepts (promotes) or rejects a candidate; acceptance makes them MI manager."""
    if actor.role not in ("manager", "admin"):
        raise PermissionDenied("Only a major-incident manager can decide.")
    reason = _optional_text(reason, field="reason")
    with transaction.atomic():
        item = work.lock(item)
        detail = IncidentDetail.objects.select_for_update().get(work_item=item)
        if detail.major_state != MajorState.PROPOSED:
            raise ValidationFailed({"major_state": "There is no proposal to decide."})
        detail.major_state = MajorState.ACCEPTED if accept else MajorState.REJECTED
        if accept:
            detail.major_manager, detail.major_promoted_at = actor, timezone.now()
        detail.save()
        work.record(
            item,
            verb="major_accepted" if accept else "major_rejected",
            actor=actor,
            data={"reason": reason},
        )
        work.bump(item, [])
    return item
