"""The services REST API: the portfolio, as a thin adapter over `serval.services.actions`.

Reads go through `services_visible_to` (out of reach → 404); writes through the actions, which
check who may maintain the portfolio. Lists use the shared cursor pagination.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from serval.api import workitems
from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page, parse_csv
from serval.api.schemas import Id, In, OrganizationRef, TeamRef, UserKey, UserRef, problems
from serval.core.errors import ValidationFailed
from serval.core.models import Tenant
from serval.core.tenancy import reach
from serval.people.models import Organization, User
from serval.people.querysets import organizations_visible_to, teams_visible_to
from serval.services import actions
from serval.services.models import Criticality, Service, ServiceKind, ServiceStatus
from serval.services.querysets import access_service, services_visible_to
from serval.sla.actions import calendars_visible_to

router = Router(tags=["services"])

KindName = Literal[tuple(ServiceKind.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(ServiceStatus.values)]  # type: ignore[valid-type]
CriticalityName = Literal[tuple(Criticality.values)]  # type: ignore[valid-type]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("999999999999.99"), decimal_places=2)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
Ordering = Literal["name", "-name", "-updated_at", "updated_at"]
RELATED = ("tenant", "parent", "owner", "support_team", "service_hours")


class ServiceRef(Schema):
    id: int
    name: str
    kind: str


class CalendarRef(Schema):
    id: int
    name: str
    time_zone: str


class ServiceOut(Schema):
    id: int
    tenant: str
    name: str
    kind: str
    parent: ServiceRef | None
    description: str
    status: str
    criticality: str
    owner: UserRef | None
    support_team: TeamRef | None
    customers: list[OrganizationRef]
    cost: Decimal | None
    value: Decimal | None
    service_hours: CalendarRef | None = Field(
        ..., description="The business calendar the service is provided in."
    )
    shared: bool
    version: int
    created_at: datetime
    updated_at: datetime


class ServicePage(Schema):
    items: list[ServiceOut]
    next: str | None


class _Fields(In):
    name: str | None = Field(None, max_length=200)
    kind: KindName | None = None  # type: ignore[valid-type]
    parent: Id | None = None
    description: str | None = Field(None, max_length=20000)
    status: StatusName | None = None  # type: ignore[valid-type]
    criticality: CriticalityName | None = None  # type: ignore[valid-type]
    owner: UserKey | None = None
    support_team: Id | None = None
    customers: list[Id] | None = Field(None, max_length=500)
    cost: Money | None = None
    value: Money | None = None
    service_hours: Id | None = Field(
        None, description="A business calendar id (`/api/v1/sla/calendars`); null clears it."
    )
    shared: bool | None = None


class ServiceCreate(_Fields):
    name: str = Field(..., min_length=1, max_length=200)
    tenant: str | None = Field(None, max_length=64, description="Tenant slug; default: yours.")


class ServiceUpdate(_Fields):
    pass


class ServiceFilters(Schema):
    kind: str | None = Field(None, max_length=100, description="One kind or a comma list.")
    status: str | None = Field(None, max_length=100, description="One status or a comma list.")
    criticality: str | None = Field(None, max_length=100)
    support_team: Id | None = None
    owner: Id | None = None
    parent: Id | None = None
    customer: Id | None = Field(None, description="Organization id.")
    service_hours: Id | None = Field(None, description="Business calendar id.")
    q: str | None = Field(None, max_length=200, description="Name contains.")
    ordering: Ordering = "name"
    limit: Limit = DEFAULT_LIMIT
    cursor: str | None = Field(None, max_length=1000)


def _ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def service_out(service: Service) -> dict[str, Any]:
    parent = service.parent
    return {
        "id": service.pk,
        "tenant": service.tenant.slug,
        "name": service.name,
        "kind": service.kind,
        "parent": None
        if parent is None
        else {"id": parent.pk, "name": parent.name, "kind": parent.kind},
        "description": service.description,
        "status": service.status,
        "criticality": service.criticality,
        "owner": workitems.user_ref(service.owner),
        "support_team": _ref(service.support_team),
        "customers": [_ref(o) for o in service.customers.all()],
        "cost": service.cost,
        "value": service.value,
        "service_hours": None
        if service.service_hours is None
        else {
            "id": service.service_hours.pk,
            "name": service.service_hours.name,
            "time_zone": service.service_hours.time_zone,
        },
        "shared": service.shared,
        "version": service.version,
        "created_at": service.created_at,
        "updated_at": service.updated_at,
    }


def _queryset(user: User) -> Any:
    return services_visible_to(user).select_related(*RELATED).prefetch_related("customers")


def _resolve(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Turn ids into records the caller can see; anything else is a field error (no leaks)."""
    user = actor(request)
    if data.get("owner") is not None:
        data["owner"] = workitems.find_user(request, data["owner"], field="owner")
    if data.get("support_team") is not None:
        team = teams_visible_to(user).filter(pk=data["support_team"]).first()
        if team is None:
            raise ValidationFailed({"support_team": _("Unknown team.")})
        data["support_team"] = team
    if data.get("parent") is not None:
        parent = services_visible_to(user).filter(pk=data["parent"]).first()
        if parent is None:
            raise ValidationFailed({"parent": _("Unknown service.")})
        data["parent"] = parent
    if data.get("service_hours") is not None:
        calendar = calendars_visible_to(user).filter(pk=data["service_hours"]).first()
        if calendar is None:
            raise ValidationFailed({"service_hours": _("Unknown calendar.")})
        data["service_hours"] = calendar
    if data.get("customers") is not None:
        ids = set(data["customers"])
        orgs: list[Organization] = list(organizations_visible_to(user).filter(pk__in=ids))
        if len(orgs) != len(ids):
            raise ValidationFailed({"customers": _("Unknown organization.")})
        data["customers"] = orgs
    return data


def _respond(response: HttpResponse, service: Service) -> dict[str, Any]:
    fresh = Service.objects.select_related(*RELATED).get(pk=service.pk)
    response["ETag"] = etag(fresh.pk, fresh.version)
    return service_out(fresh)


@router.get("", response={200: ServicePage, **problems()})
def list_services(request: HttpRequest, filters: Query[ServiceFilters]) -> dict[str, Any]:
    """The portfolio the caller may see: pipeline, live and retired (requesters: live only)."""
    qs = _queryset(actor(request))
    for name, choices in (
        ("kind", ServiceKind.values),
        ("status", ServiceStatus.values),
        ("criticality", Criticality.values),
    ):
        values = parse_csv(getattr(filters, name), choices, field=name)
        if values:
            qs = qs.filter(**{f"{name}__in": values})
    for name in ("support_team", "owner", "parent", "service_hours"):
        if getattr(filters, name) is not None:
            qs = qs.filter(**{f"{name}_id": getattr(filters, name)})
    if filters.customer is not None:
        qs = qs.filter(customers__id=filters.customer)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q.strip()))
    rows, next_link = page(
        request, qs, ordering=filters.ordering, limit=filters.limit, cursor=filters.cursor
    )
    return {"items": [service_out(s) for s in rows], "next": next_link}


@router.post("", response={201: ServiceOut, **problems(403, 404)})
def create_service(
    request: HttpRequest, payload: ServiceCreate, response: HttpResponse
) -> Status[dict[str, Any]]:
    """Add a service or an offering (managers and administrators)."""
    user = actor(request)
    data = _resolve(request, payload.model_dump(exclude_unset=True))
    tenant = None
    slug = data.pop("tenant", None)
    if slug is not None:
        tenant = Tenant.objects.filter(pk__in=reach(user), slug=slug).first()
        if tenant is None:
            raise ValidationFailed({"tenant": _("Unknown tenant.")})
    service = actions.create_service(actor=user, tenant=tenant, **data)
    response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{service.pk}")
    return Status(201, _respond(response, service))


@router.get("/{id}", response={200: ServiceOut, **problems(404)})
def get_service(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    """One service, with an ETag to send back in If-Match when editing."""
    service = access_service(actor(request), id)
    return _respond(response, service)


@router.patch("/{id}", response={200: ServiceOut, **problems(403, 404, 412)})
def update_service(
    request: HttpRequest, id: Id, payload: ServiceUpdate, response: HttpResponse
) -> dict[str, Any]:
    """Edit a service; with If-Match, a stale version is refused with 412."""
    service = access_service(actor(request), id)
    version = expected_version(request, pk=service.pk, current=service.version)
    data = _resolve(request, payload.model_dump(exclude_unset=True))
    service = actions.update_service(
        actor=actor(request), service=service, expected_version=version, **data
    )
    return _respond(response, service)


@router.delete("/{id}", response={204: None, **problems(403, 404)})
def delete_service(request: HttpRequest, id: Id) -> Status[None]:
    """Remove a service without offerings (retiring it keeps it in the portfolio instead)."""
    service = access_service(actor(request), id)
    actions.delete_service(actor=actor(request), service=service)
    return Status(204, None)
