"""The SLA REST API: calendars, definitions, an incident's clocks and the compliance report.

Reads go through `visible_to` helpers (out of reach → 404), writes through `serval.sla.actions`
(administrators of the owning tenant). Requesters see only customer SLA clocks of incidents
they can see; OLA and UC clocks are internal.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.schemas import DateTimeIn, Id, In, problems
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.core.models import Tenant
from serval.core.tenancy import reach
from serval.sla import actions, engine, reports
from serval.sla.models import AgreementType, BusinessCalendar, SlaClock, SlaDefinition
from serval.work.querysets import access_work_item

router = Router(tags=["service levels"])

TypeName = Literal[tuple(AgreementType.values)]  # type: ignore[valid-type]
TargetName = Literal["response", "resolution"]
ZoneSource = Literal["definition", "caller"]


# --- schemas ---------------------------------------------------------------------------------


class ClosedDateIO(Schema):
    date: date
    yearly: bool = False
    name: str = Field("", max_length=200)


class BusinessCalendarOut(Schema):
    id: int
    name: str
    tenant: str
    time_zone: str
    week: dict[str, list[list[str]]]
    country: str
    subdivision: str
    closed_dates: list[ClosedDateIO]
    shared: bool
    version: int


class CalendarCreate(In):
    name: str = Field(..., min_length=1, max_length=200)
    time_zone: str = Field("UTC", max_length=64)
    week: dict[str, list[list[str]]] = Field(default_factory=dict)
    country: str = Field("", max_length=8)
    subdivision: str = Field("", max_length=16)
    shared: bool = False
    tenant: str | None = Field(None, max_length=64)


class CalendarUpdate(In):
    name: str | None = Field(None, min_length=1, max_length=200)
    time_zone: str | None = Field(None, max_length=64)
    week: dict[str, list[list[str]]] | None = None
    country: str | None = Field(None, max_length=8)
    subdivision: str | None = Field(None, max_length=16)
    shared: bool | None = None
    closed_dates: list[ClosedDateIO] | None = Field(None, max_length=500)


class Clause(Schema):
    field: str = Field(..., max_length=32)
    op: str = Field("eq", max_length=16)
    value: Any = None


class EscalationRule(Schema):
    """At `at` % either mail the group's manager too, or reassign the item to `team`."""

    at: Literal[50, 75, 100]
    action: Literal["notify_manager", "reassign"]
    team: Id | None = None


class DefinitionOut(Schema):
    id: int
    name: str
    tenant: str
    type: str
    target: str
    duration_seconds: int
    calendar: int | None
    time_zone_source: str
    conditions: dict[str, list[dict[str, Any]]]
    retroactive_start: bool
    escalation: list[EscalationRule]
    active: bool
    shared: bool
    version: int


class DefinitionCreate(In):
    name: str = Field(..., min_length=1, max_length=200)
    type: TypeName = "sla"  # type: ignore[valid-type]
    target: TargetName
    duration_seconds: int = Field(..., ge=60, le=actions.MAX_DURATION)
    calendar: Id | None = None
    time_zone_source: ZoneSource = "definition"
    conditions: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    retroactive_start: bool = True
    escalation: list[EscalationRule] = Field(default_factory=list, max_length=10)
    active: bool = True
    shared: bool = False
    tenant: str | None = Field(None, max_length=64)


class DefinitionUpdate(In):
    name: str | None = Field(None, min_length=1, max_length=200)
    type: TypeName | None = None  # type: ignore[valid-type]
    target: TargetName | None = None
    duration_seconds: int | None = Field(None, ge=60, le=actions.MAX_DURATION)
    calendar: Id | None = None
    time_zone_source: ZoneSource | None = None
    conditions: dict[str, list[dict[str, Any]]] | None = None
    retroactive_start: bool | None = None
    escalation: list[EscalationRule] | None = Field(None, max_length=10)
    active: bool | None = None
    shared: bool | None = None


class PreviewOut(Schema):
    opened_at: datetime
    due_at: datetime


class ClockOut(Schema):
    id: int
    definition: str
    type: str
    target: str
    cycle: int
    stage: str
    status: str = Field(..., description="ok, warning, breached, paused, met or cancelled")
    has_breached: bool
    start_at: datetime
    stop_at: datetime | None
    breach_at: datetime
    original_breach_at: datetime
    duration_seconds: int
    elapsed_seconds: int
    business_elapsed_seconds: int
    elapsed_percent: float
    business_elapsed_percent: float
    left_seconds: int
    business_left_seconds: int
    pause_seconds: int
    business_pause_seconds: int


class ComplianceRow(Schema):
    definition: str
    target: str
    team: str | None
    service: str | None
    month: str
    met: int
    breached: int
    compliance_percent: float | None


class ComplianceParams(Schema):
    since: date | None = None
    until: date | None = None
    target: TargetName | None = None


# --- helpers ---------------------------------------------------------------------------------


def calendar_out(calendar: BusinessCalendar) -> dict[str, Any]:
    return {
        "id": calendar.pk,
        "name": calendar.name,
        "tenant": calendar.tenant.slug,
        "time_zone": calendar.time_zone,
        "week": calendar.week,
        "country": calendar.country,
        "subdivision": calendar.subdivision,
        "closed_dates": [
            {"date": c.date, "yearly": c.yearly, "name": c.name}
            for c in calendar.closed_dates.all()
        ],
        "shared": calendar.shared,
        "version": calendar.version,
    }


def definition_out(definition: SlaDefinition) -> dict[str, Any]:
    return {
        "id": definition.pk,
        "name": definition.name,
        "tenant": definition.tenant.slug,
        "type": definition.type,
        "target": definition.target,
        "duration_seconds": definition.duration_seconds,
        "calendar": definition.calendar_id,
        "time_zone_source": definition.time_zone_source,
        "conditions": definition.conditions,
        "retroactive_start": definition.retroactive_start,
        "escalation": definition.escalation or [],
        "active": definition.active,
        "shared": definition.shared,
        "version": definition.version,
    }


def clock_out(clock: SlaClock, now: datetime) -> dict[str, Any]:
    live = engine.figures(clock, now)
    return {
        "id": clock.pk,
        "definition": clock.definition.name,
        "type": clock.definition.type,
        "target": clock.definition.target,
        "cycle": clock.cycle,
        "stage": clock.stage,
        "status": clock.status(now),
        "has_breached": clock.has_breached,
        "start_at": clock.start_at,
        "stop_at": clock.stop_at,
        "breach_at": clock.breach_at,
        "original_breach_at": clock.original_breach_at,
        "duration_seconds": clock.duration_seconds,
        **live,
    }


def _tenant(request: HttpRequest, slug: str | None) -> Tenant:
    user = actor(request)
    if slug is None:
        return user.tenant
    tenant = Tenant.objects.filter(pk__in=reach(user), slug=slug).first()
    if tenant is None:
        raise ValidationFailed({"tenant": _("Unknown tenant.")})
    return tenant


def _calendar(request: HttpRequest, id: int) -> BusinessCalendar:
    calendar = (
        actions.calendars_visible_to(actor(request))
        .select_related("tenant")
        .prefetch_related("closed_dates")
        .filter(pk=id)
        .first()
    )
    if calendar is None:
        raise NotFound(_("No such calendar."))
    return calendar  # type: ignore[no-any-return]


def _definition(request: HttpRequest, id: int) -> SlaDefinition:
    definition = (
        actions.definitions_visible_to(actor(request))
        .select_related("tenant", "calendar")
        .filter(pk=id)
        .first()
    )
    if definition is None:
        raise NotFound(_("No such definition."))
    return definition  # type: ignore[no-any-return]


def _agents_only(request: HttpRequest) -> None:
    if not actor(request).is_agent:
        raise PermissionDenied(_("Only agents can see service level settings and reports."))


# --- an incident's clocks --------------------------------------------------------------------


@router.get("/incidents/{number}/sla", response={200: list[ClockOut], **problems(404)})
def incident_clocks(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    """Every clock of the incident, each cycle, with live figures; 404 when out of reach."""
    user = actor(request)
    item = access_work_item(user, number, kind="incident")
    clocks = (
        SlaClock.objects.filter(work_item=item)
        .select_related("definition__calendar")
        .order_by("definition__target", "definition__name", "cycle")
    )
    if not user.is_agent:
        clocks = clocks.filter(definition__type=AgreementType.SLA)
    now = timezone.now()
    return [clock_out(c, now) for c in clocks]


# --- calendars -------------------------------------------------------------------------------


@router.get("/sla/calendars", response={200: list[BusinessCalendarOut], **problems(403)})
def list_calendars(request: HttpRequest) -> list[dict[str, Any]]:
    _agents_only(request)
    qs = (
        actions.calendars_visible_to(actor(request))
        .select_related("tenant")
        .prefetch_related("closed_dates")
        .order_by("name", "pk")
    )
    return [calendar_out(c) for c in qs[:500]]


@router.get("/sla/calendars/{id}", response={200: BusinessCalendarOut, **problems(403, 404)})
def get_calendar(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    _agents_only(request)
    calendar = _calendar(request, id)
    response["ETag"] = etag(calendar.pk, calendar.version)
    return calendar_out(calendar)


@router.post("/sla/calendars", response={201: BusinessCalendarOut, **problems(403)})
def create_calendar(request: HttpRequest, payload: CalendarCreate) -> Status[dict[str, Any]]:
    """Add a business calendar (administrators)."""
    data = payload.model_dump(exclude={"tenant"})
    calendar = actions.create_calendar(
        actor=actor(request), tenant=_tenant(request, payload.tenant), **data
    )
    return Status(201, calendar_out(_calendar(request, calendar.pk)))


@router.patch("/sla/calendars/{id}", response={200: BusinessCalendarOut, **problems(403, 404, 412)})
def update_calendar(
    request: HttpRequest, id: Id, payload: CalendarUpdate, response: HttpResponse
) -> dict[str, Any]:
    """Change a calendar (administrators); `closed_dates`, when sent, replaces the list."""
    _agents_only(request)
    calendar = _calendar(request, id)
    version = expected_version(request, pk=calendar.pk, current=calendar.version)
    data = payload.model_dump(exclude_unset=True)
    actions.update_calendar(
        actor=actor(request), calendar=calendar, expected_version=version, **data
    )
    calendar = _calendar(request, id)
    response["ETag"] = etag(calendar.pk, calendar.version)
    return calendar_out(calendar)


# --- definitions -----------------------------------------------------------------------------


@router.get("/sla/definitions", response={200: list[DefinitionOut], **problems(403)})
def list_definitions(request: HttpRequest) -> list[dict[str, Any]]:
    _agents_only(request)
    qs = (
        actions.definitions_visible_to(actor(request))
        .select_related("tenant")
        .order_by("target", "name", "pk")
    )
    return [definition_out(d) for d in qs[:500]]


@router.get("/sla/definitions/{id}", response={200: DefinitionOut, **problems(403, 404)})
def get_definition(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    _agents_only(request)
    definition = _definition(request, id)
    response["ETag"] = etag(definition.pk, definition.version)
    return definition_out(definition)


@router.get("/sla/definitions/{id}/preview", response={200: PreviewOut, **problems(403, 404)})
def preview_definition(
    request: HttpRequest, id: Id, opened_at: DateTimeIn | None = None
) -> dict[str, Any]:
    """ "An item opened at `opened_at` (default now) would be due at …"."""
    _agents_only(request)
    definition = _definition(request, id)
    opened = opened_at or timezone.now()
    if timezone.is_naive(opened):
        opened = timezone.make_aware(opened)
    due = actions.preview_due(definition=definition, opened_at=opened, caller=actor(request))
    return {"opened_at": opened, "due_at": due}


@router.post("/sla/definitions", response={201: DefinitionOut, **problems(403)})
def create_definition(request: HttpRequest, payload: DefinitionCreate) -> Status[dict[str, Any]]:
    """Add an SLA, OLA or UC definition (administrators)."""
    data = payload.model_dump(exclude={"tenant"})
    definition = actions.create_definition(
        actor=actor(request), tenant=_tenant(request, payload.tenant), **data
    )
    return Status(201, definition_out(_definition(request, definition.pk)))


@router.patch("/sla/definitions/{id}", response={200: DefinitionOut, **problems(403, 404, 412)})
def update_definition(
    request: HttpRequest, id: Id, payload: DefinitionUpdate, response: HttpResponse
) -> dict[str, Any]:
    _agents_only(request)
    definition = _definition(request, id)
    version = expected_version(request, pk=definition.pk, current=definition.version)
    actions.update_definition(
        actor=actor(request),
        definition=definition,
        expected_version=version,
        **payload.model_dump(exclude_unset=True),
    )
    definition = _definition(request, id)
    response["ETag"] = etag(definition.pk, definition.version)
    return definition_out(definition)


# --- compliance ------------------------------------------------------------------------------


@router.get("/sla/compliance", response={200: list[ComplianceRow], **problems(403)})
def compliance(request: HttpRequest, params: Query[ComplianceParams]) -> list[dict[str, Any]]:
    """Met, breached and compliance % = met ÷ (met + breached) per definition, team, service
    and month of the clock's start (DOMAIN.md §2.5 "Metrics"); see serval.sla.reports."""
    _agents_only(request)
    return reports.compliance_rows(
        actor(request), since=params.since, until=params.until, target=params.target or ""
    )
