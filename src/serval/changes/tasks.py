"""Change tasks: the pieces of a change's work, each assigned to a team (DOMAIN.md §2.3).

A change task is a work item of kind "change_task" (CTASK-…) whose `parent` is its change, so
it has the common task base — assignment, comments, attachments, the journal — and its own
small state machine (`states.CHANGE_TASK`). A change closes only when its tasks are closed;
cancelling a change cancels its open tasks.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from serval.changes import states as S
from serval.core.errors import PermissionDenied, ValidationFailed
from serval.core.numbering import next_number
from serval.core.text import optional_text
from serval.people.models import User
from serval.work import actions as work
from serval.work.fields import check_assignment, clean_fields, display
from serval.work.models import Channel, Kind, WorkItem

TASK_FIELDS = {"title", "description", "assignment_group", "assignee", "due_date"}


def _require_agent(actor: User | None) -> None:
    if actor is None or not actor.is_agent:
        raise PermissionDenied(_("Only agents can work on change tasks."))


def tasks_of(change: WorkItem) -> Any:
    return WorkItem.objects.filter(kind=Kind.CHANGE_TASK, parent=change).order_by("pk")


def open_count(change: WorkItem) -> int:
    return tasks_of(change).filter(state__in=S.TASK_OPEN_STATES).count()


def _insert(*, change: WorkItem, actor: User, values: dict[str, Any]) -> WorkItem:
    task = WorkItem(
        tenant_id=change.tenant_id,
        kind=Kind.CHANGE_TASK,
        state=S.CHANGE_TASK.initial,
        parent=change,
        caller=change.caller,
        organization_id=change.organization_id,
        opened_by=actor,
        channel=Channel.API,
        impact=change.impact,
        urgency=change.urgency,
        priority=change.priority,
    )
    for name, value in values.items():
        setattr(task, name, value)
    task.number = next_number("CTASK")
    task.opened_at = timezone.now()
    task.save(force_insert=True)
    work.record(
        task,
        verb="created",
        actor=actor,
        data={
            "number": task.number,
            "state": task.state,
            "change": change.number,
            "fields": {k: display(v) for k, v in values.items() if k != "description"},
        },
    )
    work.record(
        change,
        verb="task_added",
        actor=actor,
        data={"task": task.number, "title": task.title},
    )
    return task


def create_task(*, actor: User, change: WorkItem, **raw: Any) -> WorkItem:
    """Add a task to an open change."""
    _require_agent(actor)
    unknown = sorted(set(raw) - TASK_FIELDS)
    if unknown:
        raise ValidationFailed({f: _("This field cannot be set here.") for f in unknown})
    raw.setdefault("title", "")
    probe = WorkItem(tenant_id=change.tenant_id, kind=Kind.CHANGE_TASK)
    probe.tenant = change.tenant
    values = clean_fields(probe, raw)
    check_assignment(values, probe)
    with transaction.atomic():
        change = work.lock(change)
        if change.state in S.DONE_STATES:
            raise ValidationFailed({"change": _("This change is closed.")})
        task = _insert(change=change, actor=actor, values=values)
        work.bump(change, [])
    return task


def create_from_template(*, change: WorkItem, template: Any, actor: User) -> list[WorkItem]:
    """The template's tasks on a new change (inside create_change's transaction)."""
    made = []
    probe = WorkItem(tenant_id=change.tenant_id, kind=Kind.CHANGE_TASK)
    probe.tenant = change.tenant
    for spec in template.tasks or []:
        raw = {"title": spec.get("title", ""), "description": spec.get("description", "")}
        if spec.get("assignment_group"):
            raw["assignment_group"] = spec["assignment_group"]
        try:
            values = clean_fields(probe, raw)
        except ValidationFailed:
            # A team deleted or no longer shared since the template was written: keep the task,
            # unassigned, rather than refusing the change.
            values = clean_fields(probe, {k: v for k, v in raw.items() if k != "assignment_group"})
        made.append(_insert(change=change, actor=actor, values=values))
    return made


def update_task(
    *, actor: User, task: WorkItem, expected_version: int | None = None, **raw: Any
) -> WorkItem:
    _require_agent(actor)
    unknown = sorted(set(raw) - TASK_FIELDS)
    if unknown:
        raise ValidationFailed({f: _("This field cannot be set here.") for f in unknown})
    with transaction.atomic():
        task = work.lock(task)
        work.check_version(task, expected_version)
        if task.state not in S.TASK_OPEN_STATES:
            raise PermissionDenied(_("This task is closed."))
        values = clean_fields(task, raw)
        check_assignment(values, task)
        changes: dict[str, list[Any]] = {}
        for name, new in values.items():
            old = getattr(task, name)
            if old != new:
                changes[name] = [display(old), display(new)]
                if name == "assignment_group" and old is not None:
                    task.reassignment_count += 1
                setattr(task, name, new)
        if not changes:
            return task
        work.record(task, verb="updated", actor=actor, data={"changes": changes})
        touched = set(changes) | (
            {"reassignment_count"} if "assignment_group" in changes else set()
        )
        work.bump(task, sorted(touched))
    return task


def transition_task(
    *, actor: User, task: WorkItem, to: str, expected_version: int | None = None, **fields: Any
) -> WorkItem:
    """Move a task along `CHANGE_TASK`; closing it is recorded on its change too."""
    _require_agent(actor)
    unknown = sorted(set(fields) - {"close_notes", "cancel_reason"})
    if unknown:
        raise ValidationFailed({f: _("Not accepted for this transition.") for f in unknown})
    with transaction.atomic():
        # The change first, then the task: the same order as a change's cancellation.
        change = work.lock(WorkItem.objects.get(pk=task.parent_id)) if task.parent_id else None
        task = work.lock(task)
        work.check_version(task, expected_version)
        transition = S.CHANGE_TASK.get(task, actor, to)
        errors: dict[str, str] = {}
        cleaned: dict[str, str] = {}
        for name in ("close_notes", "cancel_reason"):
            try:
                cleaned[name] = optional_text(fields.get(name), field=name, limit=20000)
            except ValidationFailed as exc:
                errors.update(exc.as_dict())
        for name in transition.requires:
            if name not in errors and not cleaned.get(name):
                errors[name] = _("This field is required for this transition.")
        if errors:
            raise ValidationFailed(errors)
        _move(task, to, actor=actor, notes=cleaned, change=change)
        if change is not None and to not in S.TASK_OPEN_STATES:
            work.bump(change, [])
    return task


def _move(
    task: WorkItem,
    to: str,
    *,
    actor: User | None,
    notes: dict[str, str],
    change: WorkItem | None,
) -> None:
    """Apply a task's state change; the caller holds the change's and the task's locks."""
    before = task.state
    touched = {"state", "active"}
    data: dict[str, Any] = {"from": before, "to": to}
    if to in S.TASK_OPEN_STATES:
        task.active = True
    else:
        task.closed_at, task.active = timezone.now(), False
        touched.add("closed_at")
        if notes.get("close_notes"):
            task.close_notes = data["close_notes"] = notes["close_notes"]
            touched.add("close_notes")
        if notes.get("cancel_reason"):
            task.cancel_reason = data["cancel_reason"] = notes["cancel_reason"]
            touched.add("cancel_reason")
    task.state = to
    work.record(task, verb="transition", actor=actor, data=data)
    work.bump(task, sorted(touched))
    if to not in S.TASK_OPEN_STATES and change is not None:
        work.record(
            change,
            verb="task_closed",
            actor=actor,
            data={"task": task.number, "title": task.title, "state": to},
        )


def cancel_open(*, change: WorkItem, actor: User | None) -> int:
    """Cancel a change's open tasks (inside the change's cancellation)."""
    count = 0
    for task in tasks_of(change).select_for_update().filter(state__in=S.TASK_OPEN_STATES):
        _move(
            task,
            S.TASK_CANCELLED,
            actor=actor,
            notes={"cancel_reason": _("Change cancelled.")},
            change=change,
        )
        count += 1
    return count


def comment_on_task(*, actor: User, task: WorkItem, body: Any, internal: bool = False) -> None:
    """A comment or work note on a change task (agents: tasks are agents' work)."""
    _require_agent(actor)
    body = work.clean_body(body)
    with transaction.atomic():
        task = work.lock(task)
        work.do_add_comment(item=task, actor=actor, body=body, internal=internal)
