"""Changes API: the schedule — maintenance and blackout windows, the calendar, conflicts.

- `/windows` CRUD (+ `/windows/{id}/occurrences`): agents read, change managers write
  (`serval.changes.windows`); other tenants' windows are 404.
- `/calendar?start=&end=&…`: changes in the span with their conflicts' rules, and the window
  occurrences; the span is at most 366 days (else 422).
- `/{number}/conflicts` and `/{number}/conflicts/check`: a change's stored conflicts, each with
  its explanation, and the override that covered them (agents).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page
from serval.api.schemas import DateTimeIn, Id, In, TeamRef, UserRef, problems
from serval.changes import calendar as cal
from serval.changes import conflicts as detection
from serval.changes import explain
from serval.changes import windows as W
from serval.changes.models import ChangeConflict, ChangeDetail, ChangeWindow
from serval.core.errors import PermissionDenied, ValidationFailed
from serval.core.models import Tenant
from serval.core.tenancy import reach
from serval.work.models import WorkItem
from serval.work.querysets import access_work_item

router = Router(tags=["change schedule"])

KindName = Literal["maintenance", "blackout"]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
IdList = Annotated[list[Id], Field(max_length=W.MAX_SCOPE)]
CalendarLimit = Annotated[int, Field(ge=1, le=1000)]


# --- schemas ---------------------------------------------------------------------------------


class WindowOut(Schema):
    id: int
    tenant: str
    kind: str
    name: str
    description: str
    starts_at: datetime
    ends_at: datetime
    rrule: str = Field(..., description="RFC 5545 RRULE, canonical; empty for a one-off window")
    time_zone: str
    is_global: bool
    services: list[int]
    ci_classes: list[int]
    cis: list[int]
    teams: list[int]
    exempt_emergency: bool
    active: bool
    version: int


class WindowPage(Schema):
    items: list[WindowOut]
    next: str | None


class WindowCreate(In):
    kind: KindName
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=4000)
    starts_at: DateTimeIn
    ends_at: DateTimeIn
    rrule: str = Field("", max_length=500)
    time_zone: str = Field("UTC", max_length=64)
    is_global: bool = False
    services: IdList = Field(default_factory=list)
    ci_classes: IdList = Field(default_factory=list)
    cis: IdList = Field(default_factory=list)
    teams: IdList = Field(default_factory=list)
    exempt_emergency: bool = True
    active: bool = True
    tenant: str | None = Field(None, max_length=64)


class WindowUpdate(In):
    kind: KindName | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)
    starts_at: DateTimeIn | None = None
    ends_at: DateTimeIn | None = None
    rrule: str | None = Field(None, max_length=500)
    time_zone: str | None = Field(None, max_length=64)
    is_global: bool | None = None
    services: IdList | None = None
    ci_classes: IdList | None = None
    cis: IdList | None = None
    teams: IdList | None = None
    exempt_emergency: bool | None = None
    active: bool | None = None


class WindowFilters(Schema):
    kind: KindName | None = None
    active: bool | None = None
    limit: Limit = DEFAULT_LIMIT
    cursor: str | None = Field(None, max_length=1000)


class Span(Schema):
    start: DateTimeIn | None = None
    end: DateTimeIn | None = None


class OccurrenceOut(Schema):
    starts_at: datetime
    ends_at: datetime


class CalendarParams(Schema):
    start: DateTimeIn | None = None
    end: DateTimeIn | None = None
    service: str | None = Field(None, max_length=20, description="impacted service id")
    team: str | None = Field(None, max_length=20, description="assignment group id")
    risk: str | None = Field(None, max_length=200, description="comma-separated risks")
    type: str | None = Field(None, max_length=200, description="comma-separated change types")
    state: str | None = Field(
        None, max_length=200, description="comma-separated states (default: all but cancelled)"
    )
    limit: CalendarLimit = 500
    cursor: str | None = Field(None, max_length=1000)


class CalendarChange(Schema):
    number: str
    title: str
    type: str
    risk: str
    state: str
    planned_start: datetime
    planned_end: datetime
    assignment_group: TeamRef | None
    assignee: UserRef | None
    conflict_status: str
    conflicts: list[str] = Field(..., description="the rules of its stored conflicts")


class CalendarWindow(Schema):
    id: int
    name: str
    kind: str
    starts_at: datetime
    ends_at: datetime


class ChangeCalendarOut(Schema):
    start: datetime
    end: datetime
    changes: list[CalendarChange]
    windows: list[CalendarWindow]
    next: str | None = Field(None, description="the next page of changes (windows come once)")


class Ref(Schema):
    id: int
    name: str


class ChangeRef(Schema):
    number: str
    title: str


class WindowRef(Schema):
    id: int
    name: str
    kind: str


class ConflictOut(Schema):
    rule: str
    rule_label: str
    explanation: str
    key: str
    ci: Ref | None
    related_ci: Ref | None
    other_change: ChangeRef | None
    window: WindowRef | None
    user: UserRef | None
    starts_at: datetime | None
    ends_at: datetime | None
    covered: bool = Field(..., description="covered by the change manager's override")


class ConflictOverrideOut(Schema):
    by: UserRef | None
    at: datetime | None
    reason: str
    keys: list[str]


class ConflictsOut(Schema):
    status: str
    checked_at: datetime | None
    conflicts: list[ConflictOut]
    override: ConflictOverrideOut | None


# --- helpers ---------------------------------------------------------------------------------


def _user_ref(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "display_name": user.display_name}


def window_out(window: ChangeWindow) -> dict[str, Any]:
    return {
        "id": window.pk,
        "tenant": window.tenant.slug,
        "kind": window.kind,
        "name": window.name,
        "description": window.description,
        "starts_at": window.starts_at,
        "ends_at": window.ends_at,
        "rrule": window.rrule,
        "time_zone": window.time_zone,
        "is_global": window.is_global,
        **{name: sorted(r.pk for r in getattr(window, name).all()) for name in W.SCOPES},
        "exempt_emergency": window.exempt_emergency,
        "active": window.active,
        "version": window.version,
    }


def _windows(request: HttpRequest) -> Any:
    return W.windows_visible_to(actor(request)).select_related("tenant").prefetch_related(*W.SCOPES)


def _window(request: HttpRequest, id: int) -> ChangeWindow:
    W.access_window(actor(request), id)
    return _windows(request).get(pk=id)  # type: ignore[no-any-return]


def _tenant(request: HttpRequest, slug: str | None) -> Tenant:
    user = actor(request)
    if slug is None:
        return user.tenant
    tenant = Tenant.objects.filter(pk__in=reach(user), slug=slug).first()
    if tenant is None:
        raise ValidationFailed({"tenant": _("Unknown tenant.")})
    return tenant


def _agents_only(request: HttpRequest) -> None:
    if not actor(request).is_agent:
        raise PermissionDenied(_("Only agents can see the change schedule."))


def conflicts_out(item: WorkItem, detail: ChangeDetail) -> dict[str, Any]:
    rows = ChangeConflict.objects.filter(change_id=item.pk).select_related(*explain.RELATED)
    covered = set(detail.conflict_override_keys or [])
    conflicts = []
    for c in rows.order_by("rule", "pk"):
        conflicts.append(
            {
                "rule": c.rule,
                "rule_label": str(c.get_rule_display()),
                "explanation": explain.sentence(c),
                "key": c.key,
                "ci": {"id": c.ci.pk, "name": c.ci.name} if c.ci else None,
                "related_ci": (
                    {"id": c.related_ci.pk, "name": c.related_ci.name} if c.related_ci else None
                ),
                "other_change": (
                    {"number": c.other_change.number, "title": c.other_change.title}
                    if c.other_change
                    else None
                ),
                "window": (
                    {"id": c.window.pk, "name": c.window.name, "kind": c.window.kind}
                    if c.window
                    else None
                ),
                "user": _user_ref(c.user),
                "starts_at": c.starts_at,
                "ends_at": c.ends_at,
                "covered": c.key in covered,
            }
        )
    override = None
    if detail.conflict_override_at is not None:
        override = {
            "by": _user_ref(detail.conflict_override_by),
            "at": detail.conflict_override_at,
            "reason": detail.conflict_override_reason,
            "keys": list(detail.conflict_override_keys or []),
        }
    return {
        "status": detail.conflict_status,
        "checked_at": detail.conflicts_checked_at,
        "conflicts": conflicts,
        "override": override,
    }


def _change(request: HttpRequest, number: str) -> tuple[WorkItem, ChangeDetail]:
    _agents_only(request)
    item = access_work_item(actor(request), number, kind="change")
    detail = ChangeDetail.objects.select_related("conflict_override_by").get(work_item_id=item.pk)
    return item, detail


# --- windows ---------------------------------------------------------------------------------


@router.get("/windows", response={200: WindowPage, **problems(403)})
def list_windows(request: HttpRequest, filters: Query[WindowFilters]) -> dict[str, Any]:
    """Maintenance and blackout windows of the tenants the caller works in (agents)."""
    _agents_only(request)
    qs = _windows(request)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    rows, next_link = page(
        request, qs, ordering="starts_at", limit=filters.limit, cursor=filters.cursor
    )
    return {"items": [window_out(w) for w in rows], "next": next_link}


@router.post("/windows", response={201: WindowOut, **problems(403)})
def create_window(request: HttpRequest, payload: WindowCreate) -> Status[dict[str, Any]]:
    """Add a window (change managers). A recurring window carries an RRULE and a time zone."""
    data = payload.model_dump(exclude={"tenant"})
    window = W.create_window(actor=actor(request), tenant=_tenant(request, payload.tenant), **data)
    return Status(201, window_out(_window(request, window.pk)))


@router.get("/windows/{id}", response={200: WindowOut, **problems(403, 404)})
def get_window(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    _agents_only(request)
    window = _window(request, id)
    response["ETag"] = etag(window.pk, window.version)
    return window_out(window)


@router.patch("/windows/{id}", response={200: WindowOut, **problems(403, 404, 412)})
def update_window(
    request: HttpRequest, id: Id, payload: WindowUpdate, response: HttpResponse
) -> dict[str, Any]:
    """Change a window (change managers); scope lists, when sent, replace the current ones."""
    _agents_only(request)
    window = _window(request, id)
    version = expected_version(request, pk=window.pk, current=window.version)
    W.update_window(
        actor=actor(request),
        window=window,
        expected_version=version,
        **payload.model_dump(exclude_unset=True),
    )
    window = _window(request, id)
    response["ETag"] = etag(window.pk, window.version)
    return window_out(window)


@router.delete("/windows/{id}", response={204: None, **problems(403, 404, 412)})
def delete_window(request: HttpRequest, id: Id) -> Status[None]:
    """Remove a window (change managers); the changes it touched are re-checked."""
    _agents_only(request)
    window = _window(request, id)
    version = expected_version(request, pk=window.pk, current=window.version)
    W.delete_window(actor=actor(request), window=window, expected_version=version)
    return Status(204, None)


@router.get("/windows/{id}/occurrences", response={200: list[OccurrenceOut], **problems(403, 404)})
def window_occurrences(request: HttpRequest, id: Id, span: Query[Span]) -> list[dict[str, Any]]:
    """The window's occurrences meeting [start, end) (at most 366 days, 1000 occurrences)."""
    _agents_only(request)
    window = W.access_window(actor(request), id)
    start, end = W.check_span(span.start, span.end)
    return [
        {"starts_at": o.starts_at, "ends_at": o.ends_at} for o in W.occurrences(window, start, end)
    ]


# --- the calendar ----------------------------------------------------------------------------


@router.get("/calendar", response={200: ChangeCalendarOut, **problems(403)})
def calendar(request: HttpRequest, params: Query[CalendarParams]) -> dict[str, Any]:
    """Changes planned in [start, end) — at most 366 days — with their conflicts' rules, and
    the occurrences of the windows there. Filters as on the calendar page."""
    _agents_only(request)
    user = actor(request)
    start, end = W.check_span(params.start, params.end)
    filters = cal.clean_filters(params.model_dump())
    qs = cal.changes_in_span(user, start, end, filters)
    rows, next_link = page(
        request, qs, ordering="planned_start", limit=params.limit, cursor=params.cursor
    )
    rules = cal.conflicts_of([d.work_item_id for d in rows])
    changes = []
    for d in rows:
        item = d.work_item
        group = item.assignment_group
        changes.append(
            {
                "number": item.number,
                "title": item.title,
                "type": d.change_type,
                "risk": d.risk,
                "state": item.state,
                "planned_start": d.planned_start,
                "planned_end": d.planned_end,
                "assignment_group": {"id": group.pk, "name": group.name} if group else None,
                "assignee": _user_ref(item.assignee),
                "conflict_status": d.conflict_status,
                "conflicts": sorted({c.rule for c in rules[d.work_item_id]}),
            }
        )
    windows = [
        {
            "id": p.window.pk,
            "name": p.window.name,
            "kind": p.window.kind,
            "starts_at": p.starts_at,
            "ends_at": p.ends_at,
        }
        for p in cal.window_occurrences(user, start, end, filters)
    ]
    return {"start": start, "end": end, "changes": changes, "windows": windows, "next": next_link}


# --- a change's conflicts --------------------------------------------------------------------


@router.get("/{number}/conflicts", response={200: ConflictsOut, **problems(403, 404)})
def change_conflicts(request: HttpRequest, number: str) -> dict[str, Any]:
    """The change's stored conflicts, each explained, and the override that covered them."""
    item, detail = _change(request, number)
    return conflicts_out(item, detail)


@router.post("/{number}/conflicts/check", response={200: ConflictsOut, **problems(403, 404)})
def check_conflicts(request: HttpRequest, number: str) -> dict[str, Any]:
    """Detect the change's conflicts again now (and recalculate its risk)."""
    item, _detail = _change(request, number)
    detection.check_conflicts(actor=actor(request), item=item)
    item, detail = _change(request, number)
    return conflicts_out(item, detail)
