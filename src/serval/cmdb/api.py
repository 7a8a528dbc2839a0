"""The CMDB REST API: classes, CIs, relationships, service links, history and impact.

A thin adapter (DESIGN.md rule 1): reads through `serval.cmdb.querysets` (out of reach → 404),
writes through `serval.cmdb.actions`, impact through `serval.cmdb.impact`. Lists use the shared
keyset pagination; every list filter is backed by an index on `CI`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from serval.api import workitems
from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page, parse_csv
from serval.api.schemas import DateTimeIn, Id, In, TeamRef, UserKey, UserRef, problems
from serval.cmdb import actions, impact, imports
from serval.cmdb.models import (
    ATTRIBUTE_TYPES,
    CI,
    CIClass,
    CIRelationship,
    Environment,
    LifecycleStage,
    OperationalStatus,
    RelationshipType,
    ServiceCI,
)
from serval.cmdb.querysets import (
    access_ci,
    access_class,
    cis_visible_to,
    class_with_descendants,
    classes_visible_to,
    relationships_visible_to,
)
from serval.core.errors import NotFound, ValidationFailed
from serval.core.imports import MAX_BYTES as MAX_IMPORT_BYTES
from serval.core.models import JournalEvent, Tenant
from serval.core.tenancy import reach
from serval.people.models import User
from serval.people.querysets import teams_visible_to
from serval.services.models import Criticality
from serval.services.querysets import services_visible_to

router = Router(tags=["cmdb"])

Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
Depth = Annotated[int, Field(ge=1, le=impact.MAX_DEPTH)]
StageName = Literal[tuple(LifecycleStage.values)]  # type: ignore[valid-type]
OpStatusName = Literal[tuple(OperationalStatus.values)]  # type: ignore[valid-type]
EnvironmentName = Literal[tuple(Environment.values)]  # type: ignore[valid-type]
CriticalityName = Literal[tuple(Criticality.values)]  # type: ignore[valid-type]
AttrType = Literal[tuple(ATTRIBUTE_TYPES)]  # type: ignore[valid-type]
Ordering = Literal["name", "-name", "-updated_at", "updated_at"]
RELATED = ("tenant", "ci_class", "owner", "support_team")


# --- schemas ----------------------------------------------------------------------------------


class AttributeField(Schema):
    name: str
    type: str
    required: bool
    choices: list[str] | None = None
    label: str | None = None


class AttributeFieldIn(In):
    name: str = Field(..., max_length=64)
    type: AttrType  # type: ignore[valid-type]
    required: bool = False
    choices: list[Annotated[str, Field(max_length=100)]] | None = Field(None, max_length=200)
    label: str | None = Field(None, max_length=200)


class ClassOut(Schema):
    id: int
    name: str
    label: str
    parent: int | None
    tenant: str | None
    description: str
    schema_: list[AttributeField] = Field(..., alias="schema")
    effective_schema: list[AttributeField]
    shared: bool
    version: int


class ClassCreate(In):
    name: str = Field(..., min_length=1, max_length=64)
    label: str = Field(..., min_length=1, max_length=200)
    parent: Id | None = None
    description: str | None = Field(None, max_length=4000)
    schema_: list[AttributeFieldIn] | None = Field(None, alias="schema", max_length=100)
    shared: bool | None = None
    tenant: str | None = Field(
        None, max_length=64, description="Tenant slug; default: yours. Empty for built-in."
    )


class ClassUpdate(In):
    name: str | None = Field(None, max_length=64)
    label: str | None = Field(None, max_length=200)
    parent: Id | None = None
    description: str | None = Field(None, max_length=4000)
    schema_: list[AttributeFieldIn] | None = Field(None, alias="schema", max_length=100)
    shared: bool | None = None


class ClassRef(Schema):
    id: int
    name: str
    label: str


class CIOut(Schema):
    id: int
    tenant: str
    name: str
    ci_class: ClassRef
    serial: str
    hostname: str
    fqdn: str
    cloud_id: str
    lifecycle_stage: str
    lifecycle_status: str
    operational_status: str
    environment: str
    owner: UserRef | None
    support_team: TeamRef | None
    location: str
    criticality: str
    product_version: str
    vendor: str
    attributes: dict[str, Any]
    discovery_source: str
    last_seen: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class CIPage(Schema):
    items: list[CIOut]
    next: str | None


class _CIFields(In):
    name: str | None = Field(None, max_length=200)
    ci_class: Id | None = None
    serial: str | None = Field(None, max_length=100)
    hostname: str | None = Field(None, max_length=253)
    fqdn: str | None = Field(None, max_length=253)
    cloud_id: str | None = Field(None, max_length=255)
    lifecycle_stage: StageName | None = None  # type: ignore[valid-type]
    lifecycle_status: str | None = Field(None, max_length=32)
    operational_status: OpStatusName | None = None  # type: ignore[valid-type]
    environment: EnvironmentName | None = None  # type: ignore[valid-type]
    owner: UserKey | None = None
    support_team: Id | None = None
    location: str | None = Field(None, max_length=200)
    criticality: CriticalityName | None = None  # type: ignore[valid-type]
    product_version: str | None = Field(None, max_length=100)
    vendor: str | None = Field(None, max_length=200)
    attributes: dict[str, Any] | None = None
    discovery_source: str | None = Field(None, max_length=100)
    last_seen: DateTimeIn | None = None


class CICreate(_CIFields):
    name: str = Field(..., min_length=1, max_length=200)
    ci_class: Id
    tenant: str | None = Field(None, max_length=64, description="Tenant slug; default: yours.")


class CIUpdate(_CIFields):
    pass


class CIFilters(Schema):
    ci_class: str | None = Field(
        None, max_length=64, description="Class id or name; includes its subclasses."
    )
    status: str | None = Field(None, max_length=200, description="Operational status(es).")
    lifecycle_stage: str | None = Field(None, max_length=200)
    environment: str | None = Field(None, max_length=200)
    criticality: str | None = Field(None, max_length=100)
    support_team: Id | None = None
    serial: str | None = Field(None, max_length=100)
    hostname: str | None = Field(None, max_length=253)
    fqdn: str | None = Field(None, max_length=253)
    cloud_id: str | None = Field(None, max_length=255)
    q: str | None = Field(None, max_length=200, description="Name or identifier contains.")
    ordering: Ordering = "name"
    limit: Limit = DEFAULT_LIMIT
    cursor: str | None = Field(None, max_length=1000)


class TypeOut(Schema):
    id: int
    name: str
    label: str
    reverse_label: str
    is_dependency: bool
    single_parent: bool


class CIRef(Schema):
    id: int
    name: str


class RelationshipOut(Schema):
    id: int
    parent: CIRef
    type: str
    child: CIRef
    created_at: datetime


class RelationshipIn(In):
    parent: Id
    type: str = Field(..., max_length=64)
    child: Id


class RelationshipFilters(Schema):
    ci: Id | None = Field(None, description="Either end is this CI.")
    type: str | None = Field(None, max_length=64)
    limit: Limit = DEFAULT_LIMIT
    cursor: str | None = Field(None, max_length=1000)


class RelationshipPage(Schema):
    items: list[RelationshipOut]
    next: str | None


class ServiceLinkOut(Schema):
    id: int
    service: CIRef
    ci: CIRef


class ServiceLinkIn(In):
    service: Id
    ci: Id


class ServiceLinkFilters(Schema):
    service: Id | None = None
    ci: Id | None = None


class PathNode(Schema):
    kind: str
    id: int
    name: str


class ImpactedCI(Schema):
    id: int
    name: str
    ci_class: str
    operational_status: str
    depth: int
    path: list[PathNode]


class ImpactedService(Schema):
    id: int
    name: str
    kind: str
    criticality: str
    depth: int
    path: list[PathNode]


class ImpactOut(Schema):
    direction: str
    depth: int
    start: list[CIRef]
    cis: list[ImpactedCI]
    services: list[ImpactedService]


class ImpactParams(Schema):
    direction: Literal["upstream", "downstream"] = "upstream"
    depth: Depth = impact.DEFAULT_DEPTH


class ImpactIn(In):
    cis: list[Id] = Field(..., min_length=1, max_length=impact.MAX_START)
    direction: Literal["upstream", "downstream"] = "upstream"
    depth: Depth = impact.DEFAULT_DEPTH


class PageParams(Schema):
    limit: Limit = DEFAULT_LIMIT
    cursor: str | None = Field(None, max_length=1000)


# --- helpers ----------------------------------------------------------------------------------


def class_out(ci_class: CIClass) -> dict[str, Any]:
    from serval.cmdb.attributes import effective_schema

    return {
        "id": ci_class.pk,
        "name": ci_class.name,
        "label": ci_class.label,
        "parent": ci_class.parent_id,
        "tenant": ci_class.tenant.slug if ci_class.tenant else None,
        "description": ci_class.description,
        "schema": ci_class.schema,
        "effective_schema": effective_schema(ci_class),
        "shared": ci_class.shared,
        "version": ci_class.version,
    }


def ci_out(ci: CI) -> dict[str, Any]:
    team = ci.support_team
    return {
        "id": ci.pk,
        "tenant": ci.tenant.slug,
        "name": ci.name,
        "ci_class": {"id": ci.ci_class.pk, "name": ci.ci_class.name, "label": ci.ci_class.label},
        "serial": ci.serial,
        "hostname": ci.hostname,
        "fqdn": ci.fqdn,
        "cloud_id": ci.cloud_id,
        "lifecycle_stage": ci.lifecycle_stage,
        "lifecycle_status": ci.lifecycle_status,
        "operational_status": ci.operational_status,
        "environment": ci.environment,
        "owner": workitems.user_ref(ci.owner),
        "support_team": None if team is None else {"id": team.pk, "name": team.name},
        "location": ci.location,
        "criticality": ci.criticality,
        "product_version": ci.product_version,
        "vendor": ci.vendor,
        "attributes": ci.attributes,
        "discovery_source": ci.discovery_source,
        "last_seen": ci.last_seen,
        "version": ci.version,
        "created_at": ci.created_at,
        "updated_at": ci.updated_at,
    }


def relationship_out(rel: CIRelationship) -> dict[str, Any]:
    return {
        "id": rel.pk,
        "parent": {"id": rel.parent.pk, "name": rel.parent.name},
        "type": rel.type.name,
        "child": {"id": rel.child.pk, "name": rel.child.name},
        "created_at": rel.created_at,
    }


def _tenant(user: User, slug: str | None) -> Tenant | None:
    if slug is None:
        return None
    tenant = Tenant.objects.filter(pk__in=reach(user), slug=slug).first()
    if tenant is None:
        raise ValidationFailed({"tenant": _("Unknown tenant.")})
    return tenant


def _resolve_ci_fields(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    user = actor(request)
    if data.get("ci_class") is not None:
        found = classes_visible_to(user).filter(pk=data["ci_class"]).select_related("parent")
        data["ci_class"] = found.first()
        if data["ci_class"] is None:
            raise ValidationFailed({"ci_class": _("Unknown class.")})
    if data.get("owner") is not None:
        data["owner"] = workitems.find_user(request, data["owner"], field="owner")
    if data.get("support_team") is not None:
        team = teams_visible_to(user).filter(pk=data["support_team"]).first()
        if team is None:
            raise ValidationFailed({"support_team": _("Unknown team.")})
        data["support_team"] = team
    return data


def _respond(response: HttpResponse, ci: CI) -> dict[str, Any]:
    fresh = CI.objects.select_related(*RELATED).get(pk=ci.pk)
    response["ETag"] = etag(fresh.pk, fresh.version)
    return ci_out(fresh)


def _class_by_key(user: User, key: str) -> CIClass | None:
    qs = classes_visible_to(user)
    if key.isascii() and key.isdigit() and len(key) < 19:
        return qs.filter(pk=int(key)).first()
    return qs.filter(name=key).order_by("tenant_id").first()


def _type(name: str) -> RelationshipType:
    found = RelationshipType.objects.filter(name=name).first()
    if found is None:
        raise ValidationFailed({"type": _("Unknown relationship type.")})
    return found


def impact_out(user: User, start: list[CI], direction: Any, depth: int) -> dict[str, Any]:
    result, cis, services = impact.analyse(user, start, direction=direction, depth=depth)

    def node(kind: str, pk: int) -> dict[str, Any]:
        obj: Any = cis[pk] if kind == "ci" else services[pk]
        return {"kind": kind, "id": pk, "name": obj.name}

    return {
        "direction": result.direction,
        "depth": result.depth,
        "start": [{"id": c.pk, "name": c.name} for c in start],
        "cis": [
            {
                "id": h.id,
                "name": cis[h.id].name,
                "ci_class": cis[h.id].ci_class.name,
                "operational_status": cis[h.id].operational_status,
                "depth": h.depth,
                "path": [node(k, pk) for k, pk in h.path],
            }
            for h in result.cis
        ],
        "services": [
            {
                "id": h.id,
                "name": services[h.id].name,
                "kind": services[h.id].kind,
                "criticality": services[h.id].criticality,
                "depth": h.depth,
                "path": [node(k, pk) for k, pk in h.path],
            }
            for h in result.services
        ],
    }


# --- classes and types ------------------------------------------------------------------------


@router.get("/classes", response={200: list[ClassOut], **problems()})
def list_classes(request: HttpRequest) -> list[dict[str, Any]]:
    """The class tree the caller sees (built-in and own), each with its effective schema."""
    qs = classes_visible_to(actor(request)).select_related("tenant", "parent__parent__parent")
    return [class_out(c) for c in qs.order_by("name", "pk")]


@router.post("/classes", response={201: ClassOut, **problems(403, 404)})
def create_class(request: HttpRequest, payload: ClassCreate) -> Status[dict[str, Any]]:
    """Add a class (administrators); its schema adds to its parent's."""
    user = actor(request)
    data = payload.model_dump(exclude_unset=True, by_alias=True)
    tenant = _tenant(user, data.pop("tenant", None) or None) or user.tenant
    if data.get("parent") is not None:
        data["parent"] = access_class(user, data["parent"])
    ci_class = actions.create_class(actor=user, tenant=tenant, **data)
    return Status(201, class_out(ci_class))


@router.get("/classes/{id}", response={200: ClassOut, **problems(404)})
def get_class(request: HttpRequest, id: Id) -> dict[str, Any]:
    return class_out(access_class(actor(request), id))


@router.patch("/classes/{id}", response={200: ClassOut, **problems(403, 404)})
def update_class(request: HttpRequest, id: Id, payload: ClassUpdate) -> dict[str, Any]:
    """Change a class (administrators of its tenant; built-in classes: the operator)."""
    user = actor(request)
    ci_class = access_class(user, id)
    data = payload.model_dump(exclude_unset=True, by_alias=True)
    if data.get("parent") is not None:
        data["parent"] = access_class(user, data["parent"])
    return class_out(actions.update_class(actor=user, ci_class=ci_class, **data))


@router.get("/relationship-types", response={200: list[TypeOut], **problems()})
def list_relationship_types(request: HttpRequest) -> list[RelationshipType]:
    """The relationship types and their rules (dependency edges carry impact)."""
    return list(RelationshipType.objects.order_by("name"))


# --- CIs --------------------------------------------------------------------------------------


@router.get("/cis", response={200: CIPage, **problems()})
def list_cis(request: HttpRequest, filters: Query[CIFilters]) -> dict[str, Any]:
    """CIs the caller may see, filtered by class (with subclasses), status, identifiers, text."""
    user = actor(request)
    qs = cis_visible_to(user).select_related(*RELATED)
    if filters.ci_class:
        found = _class_by_key(user, filters.ci_class)
        qs = qs.filter(ci_class_id__in=class_with_descendants(user, found)) if found else qs.none()
    for name, field, choices in (
        ("status", "operational_status", OperationalStatus.values),
        ("lifecycle_stage", "lifecycle_stage", LifecycleStage.values),
        ("environment", "environment", Environment.values),
        ("criticality", "criticality", Criticality.values),
    ):
        values = parse_csv(getattr(filters, name), choices, field=name)
        if values:
            qs = qs.filter(**{f"{field}__in": values})
    if filters.support_team is not None:
        qs = qs.filter(support_team_id=filters.support_team)
    for name in ("serial", "cloud_id"):
        if getattr(filters, name):
            qs = qs.filter(**{name: getattr(filters, name).strip()})
    for name in ("hostname", "fqdn"):
        if getattr(filters, name):
            qs = qs.filter(**{name: getattr(filters, name).strip().lower().rstrip(".")})
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(hostname__icontains=text)
            | Q(fqdn__icontains=text)
            | Q(serial__icontains=text)
        )
    rows, next_link = page(
        request, qs, ordering=filters.ordering, limit=filters.limit, cursor=filters.cursor
    )
    return {"items": [ci_out(c) for c in rows], "next": next_link}


@router.post("/cis", response={201: CIOut, **problems(403, 404)})
def create_ci(
    request: HttpRequest, payload: CICreate, response: HttpResponse
) -> Status[dict[str, Any]]:
    """Record a CI (agents); a serial, host name, FQDN or cloud id in use is a field error."""
    user = actor(request)
    data = _resolve_ci_fields(request, payload.model_dump(exclude_unset=True))
    tenant = _tenant(user, data.pop("tenant", None))
    ci = actions.create_ci(actor=user, tenant=tenant, **data)
    response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{ci.pk}")
    return Status(201, _respond(response, ci))


class ImportErrorOut(Schema):
    row: int
    field: str
    message: str


class ImportOut(Schema):
    dry_run: bool
    ok: bool
    rows: int
    created: int
    updated: int
    errors: list[ImportErrorOut]


@router.post("/cis/import", response={200: ImportOut, **problems(403, 413)})
def import_cis(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = True
) -> dict[str, Any]:
    """Create or update CIs from CSV (columns: class, name, identifiers, …, attr:<name>).

    A dry run (the default) writes nothing; a real run writes every row or — if any row has an
    error — none. Rows matching an existing CI by an identifier update it.
    """
    if file.size is None or file.size > MAX_IMPORT_BYTES:
        raise ValidationFailed({"file": _("At most 2 MB.")})
    result = imports.import_cis(actor=actor(request), data=file.read(), dry_run=dry_run)
    return {
        "dry_run": result.dry_run,
        "ok": result.ok,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "errors": [e.__dict__ for e in result.errors],
    }


@router.get("/cis/{id}", response={200: CIOut, **problems(404)})
def get_ci(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    """One CI, with an ETag to send back in If-Match when editing."""
    return _respond(response, access_ci(actor(request), id))


@router.patch("/cis/{id}", response={200: CIOut, **problems(403, 404, 412)})
def update_ci(
    request: HttpRequest, id: Id, payload: CIUpdate, response: HttpResponse
) -> dict[str, Any]:
    """Edit a CI; attributes are checked against its class; stale If-Match is 412."""
    user = actor(request)
    ci = access_ci(user, id)
    version = expected_version(request, pk=ci.pk, current=ci.version)
    data = _resolve_ci_fields(request, payload.model_dump(exclude_unset=True))
    ci = actions.update_ci(actor=user, ci=ci, expected_version=version, **data)
    return _respond(response, ci)


@router.delete("/cis/{id}", response={204: None, **problems(403, 404)})
def delete_ci(request: HttpRequest, id: Id) -> Status[None]:
    """Remove a CI and its relationships and service links (all journaled)."""
    user = actor(request)
    actions.delete_ci(actor=user, ci=access_ci(user, id))
    return Status(204, None)


@router.get("/cis/{id}/journal", response={200: workitems.JournalPage, **problems(404)})
def ci_journal(request: HttpRequest, id: Id, params: Query[PageParams]) -> dict[str, Any]:
    """The CI's history, oldest first: field changes, relationships and service links."""
    ci = access_ci(actor(request), id)
    qs = JournalEvent.objects.filter(subject_type="ci", subject_id=ci.pk).select_related("actor")
    rows, next_link = page(request, qs, ordering="seq", limit=params.limit, cursor=params.cursor)
    return {"items": [workitems.event_out(e) for e in rows], "next": next_link}


@router.get("/cis/{id}/impact", response={200: ImpactOut, **problems(404)})
def ci_impact(request: HttpRequest, id: Id, params: Query[ImpactParams]) -> dict[str, Any]:
    """Upstream: the CIs and services hit if this CI fails; downstream: what it depends on.

    Each result carries its depth and the path (start CI first) that links it; only
    dependency-type relationships are followed, cycles are safe, depth is limited.
    """
    user = actor(request)
    ci = access_ci(user, id)
    return impact_out(user, [ci], params.direction, params.depth)


@router.post("/impact", response={200: ImpactOut, **problems(404)})
def multi_impact(request: HttpRequest, payload: ImpactIn) -> dict[str, Any]:
    """Impact of several CIs at once (e.g. every CI an incident names)."""
    user = actor(request)
    start = [access_ci(user, pk) for pk in sorted(set(payload.cis))]
    return impact_out(user, start, payload.direction, payload.depth)


# --- relationships ----------------------------------------------------------------------------


@router.get("/relationships", response={200: RelationshipPage, **problems()})
def list_relationships(request: HttpRequest, filters: Query[RelationshipFilters]) -> dict[str, Any]:
    """Relationships the caller may see, optionally of one CI and one type."""
    qs = relationships_visible_to(actor(request)).select_related("parent", "child", "type")
    if filters.ci is not None:
        qs = qs.filter(Q(parent_id=filters.ci) | Q(child_id=filters.ci))
    if filters.type:
        qs = qs.filter(type__name=filters.type)
    rows, next_link = page(request, qs, ordering="id", limit=filters.limit, cursor=filters.cursor)
    return {"items": [relationship_out(r) for r in rows], "next": next_link}


@router.post("/relationships", response={201: RelationshipOut, **problems(403, 404)})
def create_relationship(request: HttpRequest, payload: RelationshipIn) -> Status[dict[str, Any]]:
    """Relate two CIs: parent —type→ child (e.g. app depends_on database)."""
    user = actor(request)
    cis = {c.pk: c for c in cis_visible_to(user).filter(pk__in=[payload.parent, payload.child])}
    errors = {f: _("Unknown CI.") for f in ("parent", "child") if getattr(payload, f) not in cis}
    if errors:
        raise ValidationFailed(errors)
    rel = actions.create_relationship(
        actor=user,
        parent=cis[payload.parent],
        child=cis[payload.child],
        type=_type(payload.type),
    )
    return Status(201, relationship_out(rel))


@router.get("/relationships/{id}", response={200: RelationshipOut, **problems(404)})
def get_relationship(request: HttpRequest, id: Id) -> dict[str, Any]:
    qs = relationships_visible_to(actor(request)).select_related("parent", "child", "type")
    rel = qs.filter(pk=id).first()
    if rel is None:
        raise NotFound(_("No such relationship."))
    return relationship_out(rel)


@router.delete("/relationships/{id}", response={204: None, **problems(403, 404)})
def delete_relationship(request: HttpRequest, id: Id) -> Status[None]:
    user = actor(request)
    rel = relationships_visible_to(user).filter(pk=id).first()
    if rel is None:
        raise NotFound(_("No such relationship."))
    actions.delete_relationship(actor=user, relationship=rel)
    return Status(204, None)


# --- service links ----------------------------------------------------------------------------


def _link_out(link: ServiceCI) -> dict[str, Any]:
    return {
        "id": link.pk,
        "service": {"id": link.service.pk, "name": link.service.name},
        "ci": {"id": link.ci.pk, "name": link.ci.name},
    }


def _links(user: User) -> Any:
    return ServiceCI.objects.filter(
        ci__in=cis_visible_to(user), service__in=services_visible_to(user)
    ).select_related("service", "ci")


@router.get("/service-links", response={200: list[ServiceLinkOut], **problems()})
def list_service_links(
    request: HttpRequest, filters: Query[ServiceLinkFilters]
) -> list[dict[str, Any]]:
    """Which CIs realize which services (filter by one service or one CI)."""
    qs = _links(actor(request))
    if filters.service is not None:
        qs = qs.filter(service_id=filters.service)
    if filters.ci is not None:
        qs = qs.filter(ci_id=filters.ci)
    return [_link_out(link) for link in qs.order_by("pk")[: MAX_LIMIT * 5]]


@router.post("/service-links", response={201: ServiceLinkOut, **problems(403, 404)})
def create_service_link(request: HttpRequest, payload: ServiceLinkIn) -> Status[dict[str, Any]]:
    """Say a service (or offering) is realized by — depends on — a CI."""
    user = actor(request)
    ci = cis_visible_to(user).filter(pk=payload.ci).select_related("tenant").first()
    service = services_visible_to(user).filter(pk=payload.service).select_related("tenant").first()
    errors = {}
    if ci is None:
        errors["ci"] = _("Unknown CI.")
    if service is None:
        errors["service"] = _("Unknown service.")
    if errors or ci is None or service is None:
        raise ValidationFailed(errors)
    link = actions.link_service(actor=user, service=service, ci=ci)
    return Status(201, _link_out(link))


@router.delete("/service-links/{id}", response={204: None, **problems(403, 404)})
def delete_service_link(request: HttpRequest, id: Id) -> Status[None]:
    user = actor(request)
    link = _links(user).filter(pk=id).first()
    if link is None:
        raise NotFound(_("No such service link."))
    actions.unlink_service(actor=user, link=link)
    return Status(204, None)
