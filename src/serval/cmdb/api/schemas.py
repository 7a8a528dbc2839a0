"""Request and response shapes of the CMDB API (typed, strict inputs; declared outputs)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from serval.api.paging import DEFAULT_LIMIT, MAX_LIMIT
from serval.api.schemas import DateTimeIn, Id, In, TeamRef, UserKey, UserRef
from serval.cmdb import impact
from serval.cmdb.models import (
    ATTRIBUTE_TYPES,
    Environment,
    LifecycleStage,
    OperationalStatus,
)
from serval.services.models import Criticality

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


SeverityName = Literal["critical", "major", "minor", "warning"]
SEVERITY_HELP = (
    "Severity the start CI(s) fail with; default from their operational status "
    "(degraded: major, otherwise critical). Upstream only."
)


class ImpactedCI(Schema):
    id: int
    name: str
    ci_class: str
    operational_status: str
    depth: int
    severity: SeverityName | None = Field(
        ..., description="Upstream: the highest severity reaching it (max of its children)."
    )
    path: list[PathNode]


class ImpactedService(Schema):
    id: int
    name: str
    kind: str
    criticality: str
    depth: int
    severity: SeverityName | None
    path: list[PathNode]


class HeldClusterOut(Schema):
    id: int
    name: str
    impacted_members: int
    members: int


class ImpactOut(Schema):
    direction: str
    depth: int
    start: list[CIRef]
    cis: list[ImpactedCI]
    services: list[ImpactedService]
    cluster_threshold: int | None = Field(
        ..., description="Percent of members a cluster needs impacted (upstream only)."
    )
    held_clusters: list[HeldClusterOut] = Field(
        ..., description="Clusters with impacted members below the threshold: not impacted."
    )
    skipped_in_maintenance: list[CIRef] = Field(
        ..., description="CIs in maintenance: impact neither starts at nor passes through them."
    )


class ImpactParams(Schema):
    direction: Literal["upstream", "downstream"] = "upstream"
    depth: Depth = impact.DEFAULT_DEPTH
    severity: SeverityName | None = Field(None, description=SEVERITY_HELP)


class ImpactIn(In):
    cis: list[Id] = Field(..., min_length=1, max_length=impact.MAX_START)
    direction: Literal["upstream", "downstream"] = "upstream"
    depth: Depth = impact.DEFAULT_DEPTH
    severity: SeverityName | None = Field(None, description=SEVERITY_HELP)


class PageParams(Schema):
    limit: Limit = DEFAULT_LIMIT
    cursor: str | None = Field(None, max_length=1000)
