"""The incidents REST API: a thin adapter from HTTP to `serval.incidents.actions`.

Every read goes through `WorkItem.objects.visible_to` (out of reach → 404), every write through
an action, and the state machine's own declaration answers `allowed_transitions` and the 409s.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal, cast

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from serval.api import workitems
from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page, parse_csv
from serval.api.rendering import JSONRenderer
from serval.api.schemas import (
    DateTimeIn,
    Id,
    In,
    OrganizationRef,
    TeamRef,
    UserKey,
    UserRef,
    problems,
)
from serval.cmdb import worklinks
from serval.core.errors import NotFound, ValidationFailed
from serval.core.models import Tenant
from serval.core.tenancy import reach
from serval.incidents import actions, api_rows
from serval.incidents import states as S
from serval.incidents.models import DEFAULT_MATRIX, IncidentDetail, PriorityRule
from serval.people.models import User
from serval.work.models import Channel, Kind, WorkItem

router = Router(tags=["incidents"])
_JSON = JSONRenderer()  # what the API renders every response with (serval.api.rendering)

ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
StateName = Literal[tuple(S.INCIDENT.states)]  # type: ignore[valid-type]
Level = Annotated[int, Field(ge=1, le=3)]
PriorityLevel = Annotated[int, Field(ge=1, le=5)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
ORDERINGS = (
    "-opened_at",
    "opened_at",
    "-updated_at",
    "updated_at",
    "priority",
    "-priority",
    "number",
    "-number",
    # The next running SLA deadline, soonest first (agents: it spans internal OLAs too).
    "sla_next_breach_at",
    "-sla_next_breach_at",
)
BREACH_ORDERINGS = frozenset({"sla_next_breach_at", "-sla_next_breach_at"})
Ordering = Literal[ORDERINGS]  # type: ignore[valid-type]
_NUMBER = re.compile(r"[A-Za-z]{2,8}-\d{1,18}")
RELATED = (
    "tenant",
    "caller",
    "opened_by",
    "organization",
    "assignment_group",
    "assignee",
    "resolved_by",
    "parent",
    "incident",
    "incident__major_proposed_by",
    "incident__major_manager",
)


# --- schemas ---------------------------------------------------------------------------------


class MajorOut(Schema):
    state: str
    proposed_by: UserRef | None
    proposed_at: datetime | None
    manager: UserRef | None
    promoted_at: datetime | None
    business_impact: str


TransitionOut = workitems.TransitionOut
ImpactRef = workitems.ImpactRef
PageParams = workitems.PageParams


class IncidentOut(Schema):
    id: int
    number: str
    tenant: str
    title: str
    description: str
    state: str
    impact: int
    urgency: int
    priority: int
    caller: UserRef
    opened_by: UserRef
    organization: OrganizationRef | None
    assignment_group: TeamRef | None
    assignee: UserRef | None
    service: str
    configuration_item: str
    category: str
    channel: str
    due_date: datetime | None
    parent: str | None
    hold_reason: str
    close_code: str
    close_notes: str
    cancel_reason: str
    active: bool
    reassignment_count: int
    reopen_count: int
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    resolved_by: UserRef | None
    closed_at: datetime | None
    sla_next_breach_at: datetime | None = Field(
        description="The soonest deadline of the item's running SLA clocks, OLAs included; "
        "null when none runs, and always null for requesters, who see customer SLAs only."
    )
    version: int
    major: MajorOut
    allowed_transitions: list[TransitionOut]
    impacted_services: list[ImpactRef]


class IncidentPage(Schema):
    items: list[IncidentOut]
    next: str | None


class _Fields(In):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20000)
    impact: Level | None = None
    urgency: Level | None = None
    caller: UserKey | None = None
    assignment_group: Id | None = None
    assignee: UserKey | None = None
    service: str | None = Field(None, max_length=200)
    configuration_item: str | None = Field(None, max_length=200)
    category: str | None = Field(None, max_length=100)
    channel: ChannelName | None = None  # type: ignore[valid-type]
    parent: str | None = Field(None, max_length=24)
    due_date: DateTimeIn | None = None


class IncidentCreate(_Fields):
    title: str = Field(..., min_length=1, max_length=200)
    tenant: str | None = Field(None, max_length=64, description="Tenant slug; default: yours.")


class IncidentUpdate(_Fields):
    pass


class TransitionIn(In):
    to: str = Field(..., max_length=32)
    hold_reason: str | None = Field(None, max_length=32)
    close_code: str | None = Field(None, max_length=32)
    close_notes: str | None = Field(None, max_length=20000)
    cancel_reason: str | None = Field(None, max_length=4000)
    comment: str | None = Field(None, max_length=20000)
    assignment_group: Id | None = None
    assignee: UserKey | None = None


class MajorIn(In):
    action: Literal["propose", "accept", "reject"]
    business_impact: str | None = Field(None, max_length=4000)
    reason: str | None = Field(None, max_length=4000)


class MatrixCell(In):
    impact: Level
    urgency: Level
    priority: PriorityLevel


class Matrix(Schema):
    cells: list[MatrixCell]


class IncidentFilters(Schema):
    state: str | None = Field(
        None, max_length=200, description="One state or a comma-separated list."
    )
    priority: PriorityLevel | None = None
    assignment_group: Id | None = None
    assignee: str | None = Field(None, max_length=150, description='Id, username or "me".')
    caller: str | None = Field(None, max_length=150, description='Id, username or "me".')
    service: str | None = Field(None, max_length=200)
    impacted_service: Id | None = Field(None, description="Impacts this service (id).")
    q: str | None = Field(None, max_length=200, description="Full-text search.")
    ordering: Ordering = "-opened_at"  # type: ignore[valid-type]
    limit: Limit = DEFAULT_LIMIT
    cursor: str | None = Field(None, max_length=1000)


# --- helpers ---------------------------------------------------------------------------------


def _clean(text: str | None, *, field: str) -> str | None:
    if text is not None and any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        raise ValidationFailed({field: _("Control characters are not allowed.")})
    return text


def _queryset(user: User) -> Any:
    return WorkItem.objects.visible_to(user).filter(kind=Kind.INCIDENT).select_related(*RELATED)


def _get(request: HttpRequest, number: str) -> WorkItem:
    """The incident if the caller may see it; anything else (even a malformed number) is 404."""
    if not _NUMBER.fullmatch(number):
        raise NotFound(_("No such incident."))
    item = _queryset(actor(request)).filter(number=number.upper()).first()
    if item is None:
        raise NotFound(_("No such incident."))
    return item  # type: ignore[no-any-return]


def _ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def incident_out(item: WorkItem, user: User) -> dict[str, Any]:
    """The API shape of one incident, with the transitions this caller may fire now."""
    try:
        detail: IncidentDetail | None = item.incident  # type: ignore[attr-defined]
    except IncidentDetail.DoesNotExist:
        detail = None
    u = workitems.user_ref
    return {
        "id": item.pk,
        "number": item.number,
        "tenant": item.tenant.slug,
        "title": item.title,
        "description": item.description,
        "state": item.state,
        "impact": item.impact,
        "urgency": item.urgency,
        "priority": item.priority,
        "caller": u(item.caller),
        "opened_by": u(item.opened_by),
        "organization": _ref(item.organization),
        "assignment_group": _ref(item.assignment_group),
        "assignee": u(item.assignee),
        "service": item.service,
        "configuration_item": item.configuration_item,
        "category": item.category,
        "channel": item.channel,
        "due_date": item.due_date,
        "parent": item.parent.number if item.parent_id and item.parent else None,
        "hold_reason": item.hold_reason,
        "close_code": item.close_code,
        "close_notes": item.close_notes,
        "cancel_reason": item.cancel_reason,
        "active": item.active,
        "reassignment_count": item.reassignment_count,
        "reopen_count": item.reopen_count,
        "opened_at": item.opened_at,
        "updated_at": item.updated_at,
        "resolved_at": item.resolved_at,
        "resolved_by": u(item.resolved_by),
        "closed_at": item.closed_at,
        "sla_next_breach_at": item.sla_next_breach_at if user.is_agent else None,
        "version": item.version,
        "major": {
            "state": detail.major_state if detail else "",
            "proposed_by": u(detail.major_proposed_by) if detail else None,
            "proposed_at": detail.major_proposed_at if detail else None,
            "manager": u(detail.major_manager) if detail else None,
            "promoted_at": detail.major_promoted_at if detail else None,
            "business_impact": detail.business_impact if detail else "",
        },
        "allowed_transitions": [
            {"to": t.target, "label": t.label, "requires": list(t.requires)}
            for t in S.INCIDENT.available(item, user)
        ],
        "impacted_services": worklinks.impacted_refs(item, user),
    }


def _respond(
    request: HttpRequest, response: HttpResponse, item: WorkItem, *, created: bool = False
) -> dict[str, Any]:
    """The item as written, read back the way the list reads it (small queries, no wide join:
    serval.incidents.api_rows); the same `IncidentOut` shape as `incident_out`.

    `created`: the item was inserted by this request from this very instance (every column,
    its detail and SLA summary set on it, nothing made by the database but the key), so its
    row is taken from the instance instead of read back — one query less per create (issue 6;
    a test compares the answer with a GET of the same incident).
    """
    detail = WorkItem.incident.related.get_cached_value(item, None) if created else None
    if detail is not None:
        row = {f.attname: getattr(item, f.attname) for f in WorkItem._meta.concrete_fields}
        row.update({f"incident__{name}": getattr(detail, name) for name in api_rows.DETAIL})
    else:
        row = WorkItem.objects.filter(pk=item.pk).values(*api_rows.COLUMNS).get()
    response["ETag"] = etag(row["id"], row["version"])
    return api_rows.items([row], actor(request), linked=detail is None)[0]


def _user_filter(request: HttpRequest, value: str, *, field: str) -> dict[str, Any]:
    if value == "me":
        return {f"{field}_id": actor(request).pk}
    if value.isascii() and value.isdigit():
        return {f"{field}_id": int(value)} if len(value) < 19 else {"pk__in": []}
    return {f"{field}__username": value}


def _matrix() -> dict[str, Any]:
    cells = dict(DEFAULT_MATRIX)
    for rule in PriorityRule.objects.all():
        cells[(rule.impact, rule.urgency)] = rule.priority
    return {
        "cells": [{"impact": i, "urgency": u, "priority": p} for (i, u), p in sorted(cells.items())]
    }


# --- priority matrix (before /{number} so the literal path wins) -------------------------------


@router.get("/priority-matrix", response={200: Matrix, **problems()})
def get_priority_matrix(request: HttpRequest) -> dict[str, Any]:
    """Impact × urgency → priority, as DOMAIN.md §2.1 describes; everyone may read it."""
    return _matrix()


@router.put("/priority-matrix", response={200: Matrix, **problems(403)})
def put_priority_matrix(request: HttpRequest, cell: MatrixCell) -> dict[str, Any]:
    """Change one cell (administrators only); existing incidents keep their priority."""
    actions.set_priority_rule(
        actor=actor(request), impact=cell.impact, urgency=cell.urgency, priority=cell.priority
    )
    return _matrix()


# --- incidents -----------------------------------------------------------------------------


@router.post("", response={201: IncidentOut, **problems(403, 404)})
def create_incident(
    request: HttpRequest, payload: IncidentCreate, response: HttpResponse
) -> Status[dict[str, Any]]:
    """Log an incident; requesters may not route or prioritise it (unknown fields are 422)."""
    user = actor(request)
    data = payload.model_dump(exclude_unset=True)
    tenant = None
    slug = data.pop("tenant", None)
    if slug is not None:
        tenant = Tenant.objects.filter(pk__in=reach(user), slug=slug).first()
        if tenant is None:
            raise ValidationFailed({"tenant": _("Unknown tenant.")})
    item = actions.create_incident(actor=user, tenant=tenant, **data)
    body = _respond(request, response, item, created=True)
    response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{item.number}")
    return Status(201, body)


@router.get("", response={200: IncidentPage, **problems()})
def list_incidents(request: HttpRequest, filters: Query[IncidentFilters]) -> HttpResponse:
    """Incidents the caller may see, filtered like the UI's queues, newest first by default."""
    user = actor(request)
    qs = api_rows.rows_of().visible_to(user).filter(kind=Kind.INCIDENT)
    states = parse_csv(_clean(filters.state, field="state"), list(S.INCIDENT.states), field="state")
    if states:
        qs = qs.filter(state__in=states)
    if filters.priority is not None:
        qs = qs.filter(priority=filters.priority)
    if filters.assignment_group is not None:
        qs = qs.filter(assignment_group_id=filters.assignment_group)
    for name in ("assignee", "caller"):
        value = _clean(getattr(filters, name), field=name)
        if value:
            qs = qs.filter(**_user_filter(request, value, field=name))
    if filters.service:
        qs = qs.filter(service=_clean(filters.service, field="service"))
    if filters.impacted_service is not None:
        qs = qs.filter(worklinks.impacting(user, filters.impacted_service))
    if filters.q:
        qs = qs.search(_clean(filters.q, field="q") or "")
    if filters.ordering in BREACH_ORDERINGS and not user.is_agent:
        # The stored deadline spans internal OLAs, which requesters never see (DOMAIN.md §2.5).
        raise ValidationFailed({"ordering": _("Only agents can sort by the next SLA breach.")})
    rows, next_link = page(
        request,
        qs,
        ordering=filters.ordering,
        limit=filters.limit,
        cursor=_clean(filters.cursor, field="cursor"),
        fetch=api_rows.fetch,
    )
    body = {"items": api_rows.items(cast(list[dict[str, Any]], rows), user), "next": next_link}
    # Rendered by the API's own JSON renderer; see serval.incidents.api_rows for why the list
    # skips response validation.
    content = _JSON.render(request, body, response_status=200)
    return HttpResponse(content, content_type=f"{_JSON.media_type}; charset={_JSON.charset}")


@router.get("/{number}", response={200: IncidentOut, **problems(404)})
def get_incident(request: HttpRequest, number: str, response: HttpResponse) -> dict[str, Any]:
    """One incident, with an ETag to send back in If-Match when editing."""
    item = _get(request, number)
    response["ETag"] = etag(item.pk, item.version)
    return incident_out(item, actor(request))


@router.patch("/{number}", response={200: IncidentOut, **problems(403, 404, 412)})
def update_incident(
    request: HttpRequest, number: str, payload: IncidentUpdate, response: HttpResponse
) -> dict[str, Any]:
    """Edit fields (agents); with If-Match, a stale version is refused with 412."""
    item = _get(request, number)
    version = expected_version(request, pk=item.pk, current=item.version)
    item = actions.update_incident(
        actor=actor(request),
        item=item,
        expected_version=version,
        **payload.model_dump(exclude_unset=True),
    )
    return _respond(request, response, item)


@router.post("/{number}/transition", response={200: IncidentOut, **problems(403, 404, 409, 412)})
def transition_incident(
    request: HttpRequest, number: str, payload: TransitionIn, response: HttpResponse
) -> dict[str, Any]:
    """Move along the state machine; a move it does not allow is 409 naming the allowed ones."""
    item = _get(request, number)
    version = expected_version(request, pk=item.pk, current=item.version)
    fields = payload.model_dump(exclude_unset=True)
    to = fields.pop("to")
    item = actions.transition_incident(
        actor=actor(request), item=item, to=to, expected_version=version, **fields
    )
    return _respond(request, response, item)


@router.post("/{number}/major", response={200: IncidentOut, **problems(403, 404)})
def major(
    request: HttpRequest, number: str, payload: MajorIn, response: HttpResponse
) -> dict[str, Any]:
    """Propose an incident as major (agents), or accept / reject a proposal (managers)."""
    item = _get(request, number)
    user = actor(request)
    if payload.action == "propose":
        item = actions.propose_major(
            actor=user, item=item, business_impact=payload.business_impact or ""
        )
    else:
        item = actions.decide_major(
            actor=user, item=item, accept=payload.action == "accept", reason=payload.reason or ""
        )
    return _respond(request, response, item)


# --- comments, journal, attachments, watchers, CIs, services, impact, links -----------------

workitems.mount_common(
    router,
    get=_get,
    comment=actions.comment_on_incident,
    noun="incident",
    prefix="serval_incidents_api",
)
workitems.mount_impact(router, get=_get, noun="incident", prefix="serval_incidents_api")
workitems.mount_links(router, get=_get, noun="incident", prefix="serval_incidents_api")
