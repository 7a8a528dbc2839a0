"""Changes API, core: raise, list, read, edit and move changes; their tasks and links.

A thin adapter over `serval.changes.actions` and `serval.changes.tasks` (DOMAIN.md §2.3). Every
read goes through `WorkItem.objects.visible_to` (out of reach → 404); the type's own state
machine answers `allowed_transitions` and the 409s. The shared work-item endpoints (comments,
journal, attachments, watchers, CIs, services, impact, links) are mounted from
`serval.api.workitems`. `get_change(request, number)` is the helper the other change routers
use to find a change.

Built for pipelines too: open a standard change from a template, poll it until it is
`scheduled`, then move it through `implement` and `review` (with the close code) to `closed`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any, Literal

from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from serval.api import workitems
from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page, parse_csv
from serval.api.schemas import DateTimeIn, Id, In, OrganizationRef, TeamRef, UserKey, UserRef
from serval.api.schemas import problems as _problems
from serval.approvals.models import ApprovalStep, RoundState, StepState
from serval.changes import actions, tasks
from serval.changes import states as S
from serval.changes.models import (
    ChangeConflict,
    ChangeDetail,
    ChangeType,
    CloseCode,
    ConflictStatus,
    Risk,
)
from serval.changes.querysets import changes_visible_to
from serval.cmdb import worklinks
from serval.core.errors import NotFound, ValidationFailed
from serval.core.models import Tenant
from serval.core.tenancy import reach
from serval.people.models import User
from serval.work.models import Kind, WorkItem

router = Router(tags=["changes"])
tasks_router = Router(tags=["change tasks"])

Level = Annotated[int, Field(ge=1, le=3)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
TypeName = Literal["standard", "normal", "emergency"]
CloseCodeName = Literal[tuple(CloseCode.values)]  # type: ignore[valid-type]
ORDERINGS = {
    "-opened_at": "-opened_at",
    "opened_at": "opened_at",
    "-updated_at": "-updated_at",
    "updated_at": "updated_at",
    "priority": "priority",
    "-priority": "-priority",
    "number": "number",
    "-number": "-number",
    "planned_start": "change__planned_start",
    "-planned_start": "-change__planned_start",
}
Ordering = Literal[tuple(ORDERINGS)]  # type: ignore[valid-type]
_NUMBER = re.compile(r"[A-Za-z]{2,8}-\d{1,18}")
RELATED = (
    "tenant",
    "caller",
    "opened_by",
    "organization",
    "assignment_group",
    "assignee",
    "resolved_by",
    "change",
    "change__template",
    "change__conflict_override_by",
)
TASK_RELATED = (
    "tenant",
    "caller",
    "opened_by",
    "assignment_group",
    "assignee",
    "parent",
)


def problems(*codes: int) -> dict[int, Any]:
    return _problems(*codes)


# --- schemas ---------------------------------------------------------------------------------


class TemplateRef(Schema):
    id: int
    name: str


class RiskReasonOut(Schema):
    method: str
    level: str
    text: str


class OverrideOut(Schema):
    reason: str
    by: UserRef | None
    at: datetime | None


class ChangeOut(Schema):
    id: int
    number: str
    tenant: str
    type: str
    template: TemplateRef | None
    title: str
    description: str
    category: str
    state: str
    impact: int
    urgency: int
    priority: int
    caller: UserRef = Field(..., description="The requester.")
    opened_by: UserRef
    organization: OrganizationRef | None
    assignment_group: TeamRef | None
    assignee: UserRef | None
    justification: str
    implementation_plan: str
    backout_plan: str
    test_plan: str
    planned_start: datetime | None
    planned_end: datetime | None
    actual_start: datetime | None
    actual_end: datetime | None
    cab_date: datetime | None
    risk: str
    risk_score: int | None
    risk_reasons: list[RiskReasonOut]
    risk_assessed_at: datetime | None
    conflict_status: str
    conflicts_checked_at: datetime | None
    uncovered_conflicts: int = Field(
        ..., description="Conflicts no override covers; scheduling then needs a reason."
    )
    conflict_override: OverrideOut | None
    approval_round: int
    close_code: str
    close_notes: str
    cancel_reason: str
    active: bool
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    version: int
    allowed_transitions: list[workitems.TransitionOut] = Field(
        ...,
        description="Moves this caller may make now, from the change type's path, with the "
        "fields each requires; `scheduled` lists `conflict_override_reason` while the change "
        "has uncovered conflicts (only change managers may give it).",
    )
    impacted_services: list[workitems.ImpactRef]


class ChangePage(Schema):
    items: list[ChangeOut]
    next: str | None


class _Fields(In):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20000)
    category: str | None = Field(None, max_length=100)
    impact: Level | None = None
    urgency: Level | None = None
    caller: UserKey | None = Field(None, description="The requester; default: you.")
    assignment_group: Id | None = None
    assignee: UserKey | None = None
    justification: str | None = Field(None, max_length=20000)
    implementation_plan: str | None = Field(None, max_length=20000)
    backout_plan: str | None = Field(None, max_length=20000)
    test_plan: str | None = Field(None, max_length=20000)
    planned_start: DateTimeIn | None = None
    planned_end: DateTimeIn | None = None
    actual_start: DateTimeIn | None = None
    actual_end: DateTimeIn | None = None
    cab_date: DateTimeIn | None = None


class ChangeCreate(_Fields):
    type: TypeName | None = Field(  # type: ignore[valid-type]
        None, description="normal (default) or emergency; a template makes a standard change."
    )
    template: Id | None = Field(None, description="An approved standard-change template (id).")
    tenant: str | None = Field(None, max_length=64, description="Tenant slug; default: yours.")


class ChangeUpdate(_Fields):
    type: TypeName | None = Field(  # type: ignore[valid-type]
        None, description="Only in New, before any approval."
    )


class ChangeTransitionIn(In):
    to: str = Field(..., max_length=32)
    close_code: CloseCodeName | None = None  # type: ignore[valid-type]
    close_notes: str | None = Field(None, max_length=20000)
    cancel_reason: str | None = Field(None, max_length=4000)
    conflict_override_reason: str | None = Field(None, max_length=4000)
    comment: str | None = Field(None, max_length=20000)


class ChangeFilters(Schema):
    state: str | None = Field(
        None, max_length=200, description='One state, a comma-separated list, or "open".'
    )
    type: str | None = Field(None, max_length=100, description="Type(s), comma-separated.")
    risk: str | None = Field(None, max_length=100, description="Risk level(s), comma-separated.")
    assignment_group: Id | None = None
    assignee: str | None = Field(None, max_length=150, description='Id, username or "me".')
    caller: str | None = Field(None, max_length=150, description='Requester: id, username, "me".')
    impacted_service: Id | None = Field(None, description="Impacts this service (id).")
    ci: Id | None = Field(None, description="Affects this CI (id).")
    planned_from: DateTimeIn | None = Field(
        None, description="Planned window ends after this moment."
    )
    planned_to: DateTimeIn | None = Field(
        None, description="Planned window starts before this moment."
    )
    conflict_status: Literal[tuple(ConflictStatus.values)] | None = None  # type: ignore[valid-type]
    template: Id | None = None
    q: str | None = Field(None, max_length=200, description="Full-text search.")
    ordering: Ordering = "-opened_at"  # type: ignore[valid-type]
    limit: Limit = DEFAULT_LIMIT
    cursor: str | None = Field(None, max_length=1000)


class TaskOut(Schema):
    id: int
    number: str
    change: str
    title: str
    description: str
    state: str
    assignment_group: TeamRef | None
    assignee: UserRef | None
    due_date: datetime | None
    close_notes: str
    cancel_reason: str
    active: bool
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    version: int
    allowed_transitions: list[workitems.TransitionOut]


class TaskCreate(In):
    title: str = Field(..., min_length=1, max_length=200)
    description: str | None = Field(None, max_length=20000)
    assignment_group: Id | None = None
    assignee: UserKey | None = None
    due_date: DateTimeIn | None = None


class TaskUpdate(In):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20000)
    assignment_group: Id | None = None
    assignee: UserKey | None = None
    due_date: DateTimeIn | None = None


class TaskTransitionIn(In):
    to: str = Field(..., max_length=32)
    close_notes: str | None = Field(None, max_length=20000)
    cancel_reason: str | None = Field(None, max_length=4000)


# --- finding and shaping ---------------------------------------------------------------------


def _clean(text: str | None, *, field: str) -> str | None:
    return workitems.clean_param(text, field=field)


def authorize_pending() -> Exists:
    """Per row: the current approval round still waits for someone at Authorize."""
    return Exists(
        ApprovalStep.objects.filter(
            round__work_item=OuterRef("pk"),
            round__state=RoundState.PENDING,
            stage=S.AUTHORIZE,
            state__in=(StepState.PENDING, StepState.WAITING),
        )
    )


def _queryset(user: User) -> QuerySet[WorkItem]:
    return changes_visible_to(user).select_related(*RELATED)


def get_change(request: HttpRequest, number: str) -> WorkItem:
    """The change if the caller may see it; anything else (even a malformed number) is 404."""
    if not _NUMBER.fullmatch(number):
        raise NotFound(_("No such change."))
    item = _queryset(actor(request)).filter(number=number.upper()).first()
    if item is None:
        raise NotFound(_("No such change."))
    return item


def _ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def transitions_for(
    item: Any, detail: ChangeDetail, user: User, *, uncovered: int
) -> list[dict[str, Any]]:
    """The moves the caller may make now, with what each needs (the override when due)."""
    out = []
    for t in S.machine_for(detail.change_type).available(item, user):
        requires = list(t.requires)
        if t.target == S.SCHEDULED and uncovered:
            requires.append("conflict_override_reason")
        out.append({"to": t.target, "label": t.label, "requires": requires})
    return out


def uncovered_counts(details: list[ChangeDetail]) -> dict[int, int]:
    """Change id → conflicts its override does not cover, for a page, in one query."""
    ids = [d.pk for d in details if d.conflict_status == ConflictStatus.CONFLICTS]
    counts = {d.pk: 0 for d in details}
    if not ids:
        return counts
    covered = {d.pk: set(d.conflict_override_keys or []) for d in details}
    for conflict in ChangeConflict.objects.filter(change_id__in=ids):
        if conflict.key not in covered[conflict.change_id]:
            counts[conflict.change_id] += 1
    return counts


def change_out(
    item: WorkItem,
    user: User,
    *,
    uncovered: int | None = None,
    impacts: dict[int, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The API shape of one change, with the transitions this caller may make now.

    A list passes `uncovered` and `impacts` read for the whole page, so a row costs no query.
    """
    detail: ChangeDetail = item.change  # type: ignore[attr-defined]
    if uncovered is None:
        uncovered = uncovered_counts([detail])[detail.pk]
    u = workitems.user_ref
    override = None
    if detail.conflict_override_at is not None:
        override = {
            "reason": detail.conflict_override_reason,
            "by": u(detail.conflict_override_by),
            "at": detail.conflict_override_at,
        }
    return {
        "id": item.pk,
        "number": item.number,
        "tenant": item.tenant.slug,
        "type": detail.change_type,
        "template": _ref(detail.template),
        "title": item.title,
        "description": item.description,
        "category": item.category,
        "state": item.state,
        "impact": item.impact,
        "urgency": item.urgency,
        "priority": item.priority,
        "caller": u(item.caller),
        "opened_by": u(item.opened_by),
        "organization": _ref(item.organization),
        "assignment_group": _ref(item.assignment_group),
        "assignee": u(item.assignee),
        "justification": detail.justification,
        "implementation_plan": detail.implementation_plan,
        "backout_plan": detail.backout_plan,
        "test_plan": detail.test_plan,
        "planned_start": detail.planned_start,
        "planned_end": detail.planned_end,
        "actual_start": detail.actual_start,
        "actual_end": detail.actual_end,
        "cab_date": detail.cab_date,
        "risk": detail.risk,
        "risk_score": detail.risk_score,
        "risk_reasons": list(detail.risk_reasons or []),
        "risk_assessed_at": detail.risk_assessed_at,
        "conflict_status": detail.conflict_status,
        "conflicts_checked_at": detail.conflicts_checked_at,
        "uncovered_conflicts": uncovered,
        "conflict_override": override,
        "approval_round": detail.approval_round,
        "close_code": item.close_code,
        "close_notes": item.close_notes,
        "cancel_reason": item.cancel_reason,
        "active": item.active,
        "opened_at": item.opened_at,
        "updated_at": item.updated_at,
        "resolved_at": item.resolved_at,
        "closed_at": item.closed_at,
        "version": item.version,
        "allowed_transitions": transitions_for(item, detail, user, uncovered=uncovered),
        "impacted_services": (
            impacts.get(item.pk, []) if impacts is not None else worklinks.impacted_refs(item, user)
        ),
    }


def _respond(request: HttpRequest, response: HttpResponse, item: WorkItem) -> dict[str, Any]:
    fresh = WorkItem.objects.select_related(*RELATED).get(pk=item.pk)
    response["ETag"] = etag(fresh.pk, fresh.version)
    return change_out(fresh, actor(request))


def _user_filter(request: HttpRequest, value: str, *, field: str) -> dict[str, Any]:
    if value == "me":
        return {f"{field}_id": actor(request).pk}
    if value.isascii() and value.isdigit():
        return {f"{field}_id": int(value)} if len(value) < 19 else {"pk__in": []}
    return {f"{field}__username": value}


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """API names → action names (the type is `change_type` in the action)."""
    if "type" in data:
        value = data.pop("type")
        if value is not None:
            data["change_type"] = value
    return data


@contextmanager
def _api_names() -> Iterator[None]:
    """Field errors under the API's names: the action's `change_type` is `type` here."""
    try:
        yield
    except ValidationFailed as exc:
        if not any(e["field"] == "change_type" for e in exc.errors):
            raise
        renamed = {"change_type": "type"}
        raise ValidationFailed(
            [(renamed.get(e["field"], e["field"]), e["message"]) for e in exc.errors]
        ) from exc


# --- changes -----------------------------------------------------------------------------------


def create_change(
    request: HttpRequest, payload: ChangeCreate, response: HttpResponse
) -> Status[dict[str, Any]]:
    """Raise a change: normal or emergency, or standard from an approved template (whose plans
    and tasks it takes; fields you send override the template's)."""
    user = actor(request)
    data = _fields(payload.model_dump(exclude_unset=True))
    tenant = None
    slug = data.pop("tenant", None)
    if slug is not None:
        tenant = Tenant.objects.filter(pk__in=reach(user), slug=slug).first()
        if tenant is None:
            raise ValidationFailed({"tenant": _("Unknown tenant.")})
    template = data.pop("template", None)
    with _api_names():
        item = actions.create_change(actor=user, tenant=tenant, template=template, **data)
    body = _respond(request, response, item)
    response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{item.number}")
    return Status(201, body)


def list_changes(request: HttpRequest, filters: Query[ChangeFilters]) -> dict[str, Any]:
    """Changes the caller may see, filtered like the change list, newest first by default."""
    user = actor(request)
    qs = changes_visible_to(user)
    state = _clean(filters.state, field="state")
    if state == "open":
        qs = qs.filter(state__in=S.OPEN_STATES)
    else:
        states = parse_csv(state, list(S.NORMAL.states), field="state")
        if states:
            qs = qs.filter(state__in=states)
    types = parse_csv(_clean(filters.type, field="type"), ChangeType.values, field="type")
    if types:
        qs = qs.filter(change__change_type__in=types)
    risks = parse_csv(_clean(filters.risk, field="risk"), Risk.values, field="risk")
    if risks:
        qs = qs.filter(change__risk__in=risks)
    if filters.assignment_group is not None:
        qs = qs.filter(assignment_group_id=filters.assignment_group)
    for name in ("assignee", "caller"):
        value = _clean(getattr(filters, name), field=name)
        if value:
            qs = qs.filter(**_user_filter(request, value, field=name))
    if filters.impacted_service is not None:
        qs = qs.filter(impacted_services__service_id=filters.impacted_service)
    if filters.ci is not None:
        qs = qs.filter(ci_links__ci_id=filters.ci)
    if filters.planned_from is not None:
        qs = qs.filter(change__planned_end__gt=filters.planned_from)
    if filters.planned_to is not None:
        qs = qs.filter(change__planned_start__lt=filters.planned_to)
    if filters.conflict_status:
        qs = qs.filter(change__conflict_status=filters.conflict_status)
    if filters.template is not None:
        qs = qs.filter(change__template_id=filters.template)
    if filters.q:
        qs = qs.search(_clean(filters.q, field="q") or "")  # type: ignore[attr-defined]
    qs = qs.select_related(*RELATED).annotate(authorize_pending=authorize_pending())
    rows, next_link = page(
        request,
        qs,
        ordering=ORDERINGS[filters.ordering],
        limit=filters.limit,
        cursor=_clean(filters.cursor, field="cursor"),
    )
    counts = uncovered_counts([r.change for r in rows])  # type: ignore[attr-defined]
    impacts = worklinks.impacted_by_item([r.pk for r in rows], user)
    return {
        "items": [change_out(r, user, uncovered=counts[r.pk], impacts=impacts) for r in rows],
        "next": next_link,
    }


def mount_collection(parent: Router) -> None:
    """POST/GET /api/v1/changes on the parent router itself: a child router mounted at ""
    would answer at /api/v1/changes/ (with a slash) instead."""
    parent.add_api_operation(
        "", ["POST"], create_change, response={201: ChangeOut, **problems(403, 404)}
    )
    parent.add_api_operation("", ["GET"], list_changes, response={200: ChangePage, **problems()})


@router.get("/{number}", response={200: ChangeOut, **problems(404)})
def get_change_endpoint(
    request: HttpRequest, number: str, response: HttpResponse
) -> dict[str, Any]:
    """One change, with an ETag to send back in If-Match when editing."""
    item = get_change(request, number)
    response["ETag"] = etag(item.pk, item.version)
    return change_out(item, actor(request))


@router.patch("/{number}", response={200: ChangeOut, **problems(403, 404, 412)})
def update_change(
    request: HttpRequest, number: str, payload: ChangeUpdate, response: HttpResponse
) -> dict[str, Any]:
    """Edit fields (agents); while approvers decide, what they approve is frozen (422 on it).
    With If-Match, a stale version is refused with 412."""
    item = get_change(request, number)
    version = expected_version(request, pk=item.pk, current=item.version)
    with _api_names():
        item = actions.update_change(
            actor=actor(request),
            item=item,
            expected_version=version,
            **_fields(payload.model_dump(exclude_unset=True)),
        )
    return _respond(request, response, item)


@router.post("/{number}/transition", response={200: ChangeOut, **problems(403, 404, 409, 412)})
def transition_change(
    request: HttpRequest, number: str, payload: ChangeTransitionIn, response: HttpResponse
) -> dict[str, Any]:
    """Move along the change type's path; a move it does not allow is 409 naming the allowed
    ones, missing fields are 422. Requesting approval may go on by itself (no approvers, or
    a standard change); read `state` in the answer."""
    item = get_change(request, number)
    version = expected_version(request, pk=item.pk, current=item.version)
    fields = payload.model_dump(exclude_unset=True)
    to = fields.pop("to")
    item = actions.transition_change(
        actor=actor(request), item=item, to=to, expected_version=version, **fields
    )
    return _respond(request, response, item)


def _comment(*, actor: User, item: WorkItem, body: str, internal: bool) -> None:
    actions.comment_on_change(actor=actor, item=item, body=body, internal=internal)


workitems.mount_common(
    router, get=get_change, comment=_comment, noun="change", prefix="serval_changes_api"
)
workitems.mount_impact(router, get=get_change, noun="change", prefix="serval_changes_api")
workitems.mount_links(router, get=get_change, noun="change", prefix="serval_changes_api")


# --- change tasks --------------------------------------------------------------------------------


def task_out(task: WorkItem, user: User) -> dict[str, Any]:
    u = workitems.user_ref
    return {
        "id": task.pk,
        "number": task.number,
        "change": task.parent.number if task.parent else "",
        "title": task.title,
        "description": task.description,
        "state": task.state,
        "assignment_group": _ref(task.assignment_group),
        "assignee": u(task.assignee),
        "due_date": task.due_date,
        "close_notes": task.close_notes,
        "cancel_reason": task.cancel_reason,
        "active": task.active,
        "opened_at": task.opened_at,
        "updated_at": task.updated_at,
        "closed_at": task.closed_at,
        "version": task.version,
        "allowed_transitions": [
            {"to": t.target, "label": t.label, "requires": list(t.requires)}
            for t in S.CHANGE_TASK.available(task, user)
        ],
    }


@router.get("/{number}/tasks", response={200: list[TaskOut], **problems(404)})
def list_tasks(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    """The change's tasks, in the order they were added."""
    item = get_change(request, number)
    user = actor(request)
    rows = (
        WorkItem.objects.visible_to(user)
        .filter(kind=Kind.CHANGE_TASK, parent=item)
        .select_related(*TASK_RELATED)
        .order_by("pk")[:500]
    )
    return [task_out(t, user) for t in rows]


@router.post("/{number}/tasks", response={201: TaskOut, **problems(403, 404)})
def create_task(
    request: HttpRequest, number: str, payload: TaskCreate, response: HttpResponse
) -> Status[dict[str, Any]]:
    """Add a task to an open change (agents), optionally assigned to a team."""
    item = get_change(request, number)
    user = actor(request)
    task = tasks.create_task(actor=user, change=item, **payload.model_dump(exclude_unset=True))
    fresh = WorkItem.objects.select_related(*TASK_RELATED).get(pk=task.pk)
    response["ETag"] = etag(fresh.pk, fresh.version)
    response["Location"] = request.build_absolute_uri(f"/api/v1/change-tasks/{fresh.number}")
    return Status(201, task_out(fresh, user))


def get_task(request: HttpRequest, number: str) -> WorkItem:
    """A change task the caller may see (404 otherwise)."""
    if not _NUMBER.fullmatch(number):
        raise NotFound(_("No such change task."))
    task = (
        WorkItem.objects.visible_to(actor(request))
        .filter(kind=Kind.CHANGE_TASK, number=number.upper())
        .select_related(*TASK_RELATED)
        .first()
    )
    if task is None:
        raise NotFound(_("No such change task."))
    return task


def _task_respond(request: HttpRequest, response: HttpResponse, task: WorkItem) -> dict[str, Any]:
    fresh = WorkItem.objects.select_related(*TASK_RELATED).get(pk=task.pk)
    response["ETag"] = etag(fresh.pk, fresh.version)
    return task_out(fresh, actor(request))


@tasks_router.get("/{number}", response={200: TaskOut, **problems(404)})
def get_task_endpoint(request: HttpRequest, number: str, response: HttpResponse) -> dict[str, Any]:
    """One change task, with an ETag for If-Match."""
    task = get_task(request, number)
    response["ETag"] = etag(task.pk, task.version)
    return task_out(task, actor(request))


@tasks_router.patch("/{number}", response={200: TaskOut, **problems(403, 404, 412)})
def update_task(
    request: HttpRequest, number: str, payload: TaskUpdate, response: HttpResponse
) -> dict[str, Any]:
    """Edit an open task (agents); a stale If-Match is 412."""
    task = get_task(request, number)
    version = expected_version(request, pk=task.pk, current=task.version)
    task = tasks.update_task(
        actor=actor(request),
        task=task,
        expected_version=version,
        **payload.model_dump(exclude_unset=True),
    )
    return _task_respond(request, response, task)


@tasks_router.post("/{number}/transition", response={200: TaskOut, **problems(403, 404, 409, 412)})
def transition_task(
    request: HttpRequest, number: str, payload: TaskTransitionIn, response: HttpResponse
) -> dict[str, Any]:
    """Move a task (start, complete, close incomplete, skip, cancel); 409 names the allowed."""
    task = get_task(request, number)
    version = expected_version(request, pk=task.pk, current=task.version)
    fields = payload.model_dump(exclude_unset=True)
    to = fields.pop("to")
    task = tasks.transition_task(
        actor=actor(request), task=task, to=to, expected_version=version, **fields
    )
    return _task_respond(request, response, task)


def _comment_task(*, actor: User, item: WorkItem, body: str, internal: bool) -> None:
    tasks.comment_on_task(actor=actor, task=item, body=body, internal=internal)


workitems.mount_common(
    tasks_router,
    get=get_task,
    comment=_comment_task,
    noun="change task",
    prefix="serval_changes_api_task",
)
