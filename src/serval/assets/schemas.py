"""API shapes of the asset records: strict inputs (unknown fields refused), declared outputs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from serval.api.paging import DEFAULT_LIMIT, MAX_LIMIT
from serval.api.schemas import DateTimeIn, Id, In, UserKey, UserRef
from serval.assets.models import AssetKind, ContractType, DatesSource, LicenceMetric
from serval.cmdb.models import LifecycleStage

Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("999999999999.99"), decimal_places=2)]
Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(9000, 12, 31))]
KindName = Literal[tuple(AssetKind.values)]  # type: ignore[valid-type]
StageName = Literal[tuple(LifecycleStage.values)]  # type: ignore[valid-type]
MetricName = Literal[tuple(LicenceMetric.values)]  # type: ignore[valid-type]
ContractTypeName = Literal[tuple(ContractType.values)]  # type: ignore[valid-type]
SourceName = Literal[tuple(DatesSource.values)]  # type: ignore[valid-type]
Cursor = Annotated[str | None, Field(max_length=1000)]


class Ref(Schema):
    id: int
    name: str


class ProductRef(Schema):
    id: int
    vendor: str
    name: str


# --- assets -----------------------------------------------------------------------------------


class AssetOut(Schema):
    id: int
    tenant: str
    name: str
    kind: str
    asset_tag: str
    serial: str
    model: str
    manufacturer: str
    ci: Ref | None
    lifecycle_stage: str
    lifecycle_status: str
    assigned_to: UserRef | None
    location: str
    cost_centre: str
    cost: Decimal | None
    purchase_order: str
    purchase_date: date | None
    vendor: str
    warranty_end: date | None
    lease_end: date | None
    contracts: list[Ref]
    version: int
    created_at: datetime
    updated_at: datetime


class AssetPage(Schema):
    items: list[AssetOut]
    next: str | None


class _AssetFields(In):
    name: str | None = Field(None, max_length=200)
    kind: KindName | None = None  # type: ignore[valid-type]
    asset_tag: str | None = Field(None, max_length=100)
    serial: str | None = Field(None, max_length=100)
    model: str | None = Field(None, max_length=200)
    manufacturer: str | None = Field(None, max_length=200)
    ci: Id | None = None
    lifecycle_stage: StageName | None = None  # type: ignore[valid-type]
    lifecycle_status: str | None = Field(None, max_length=32)
    assigned_to: UserKey | None = None
    location: str | None = Field(None, max_length=200)
    cost_centre: str | None = Field(None, max_length=100)
    cost: Money | None = None
    purchase_order: str | None = Field(None, max_length=100)
    purchase_date: Day | None = None
    vendor: str | None = Field(None, max_length=200)
    warranty_end: Day | None = None
    lease_end: Day | None = None


class AssetCreate(_AssetFields):
    name: str = Field(..., min_length=1, max_length=200)
    tenant: str | None = Field(None, max_length=64, description="Tenant slug; default: yours.")


class AssetUpdate(_AssetFields):
    pass


class AssetFilters(Schema):
    kind: str | None = Field(None, max_length=50, description="hardware, software (comma list).")
    lifecycle_stage: str | None = Field(None, max_length=200)
    lifecycle_status: str | None = Field(None, max_length=32)
    assigned_to: str | None = Field(None, max_length=150, description="User id, name or 'me'.")
    location: str | None = Field(None, max_length=200, description="Exact location.")
    vendor: str | None = Field(None, max_length=200)
    ci: Id | None = None
    asset_tag: str | None = Field(None, max_length=100)
    serial: str | None = Field(None, max_length=100)
    warranty_before: Day | None = Field(None, description="Warranty ends on or before.")
    q: str | None = Field(None, max_length=200, description="Name, tag or serial contains.")
    ordering: Literal["name", "-name", "updated_at", "-updated_at"] = "name"
    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor = None


# --- products and versions --------------------------------------------------------------------


class VersionOut(Schema):
    id: int
    product: ProductRef
    version: str
    ga_date: date | None
    end_of_support: date | None
    end_of_extended_support: date | None
    end_of_life: date | None
    dates_source: str
    row_version: int


class ProductOut(Schema):
    id: int
    tenant: str
    vendor: str
    name: str
    description: str
    shared: bool
    versions: list[VersionOut]
    version: int


class ProductPage(Schema):
    items: list[ProductOut]
    next: str | None


class ProductCreate(In):
    vendor: str = Field(..., min_length=1, max_length=200)
    name: str = Field(..., min_length=1, max_length=200)
    description: str | None = Field(None, max_length=20000)
    shared: bool | None = None
    tenant: str | None = Field(None, max_length=64, description="Tenant slug; default: yours.")


class ProductUpdate(In):
    vendor: str | None = Field(None, max_length=200)
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20000)
    shared: bool | None = None


class ProductFilters(Schema):
    vendor: str | None = Field(None, max_length=200)
    q: str | None = Field(None, max_length=200, description="Vendor or name contains.")
    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor = None


class _VersionFields(In):
    version: str | None = Field(None, max_length=100)
    ga_date: Day | None = None
    end_of_support: Day | None = None
    end_of_extended_support: Day | None = None
    end_of_life: Day | None = None
    dates_source: SourceName | None = None  # type: ignore[valid-type]


class VersionCreate(_VersionFields):
    product: Id
    version: str = Field(..., min_length=1, max_length=100)


class VersionUpdate(_VersionFields):
    pass


class VersionPage(Schema):
    items: list[VersionOut]
    next: str | None


class VersionFilters(Schema):
    product: Id | None = None
    support_ends_before: Day | None = Field(None, description="End of support on or before.")
    life_ends_before: Day | None = Field(None, description="End of life on or before.")
    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor = None


# --- installations ----------------------------------------------------------------------------


class InstallationOut(Schema):
    id: int
    ci: Ref
    software_version: VersionOut
    installed_at: datetime | None
    discovered: bool
    created_at: datetime


class InstallationPage(Schema):
    items: list[InstallationOut]
    next: str | None


class InstallationCreate(In):
    ci: Id
    software_version: Id
    installed_at: DateTimeIn | None = None
    discovered: bool = False


class InstallationUpdate(In):
    installed_at: DateTimeIn | None = None
    discovered: bool | None = None


class InstallationFilters(Schema):
    ci: Id | None = None
    software_version: Id | None = None
    product: Id | None = None
    discovered: bool | None = None
    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor = None


# --- licences ---------------------------------------------------------------------------------


class ComplianceOut(Schema):
    metric: str
    entitlements: int = Field(..., description="Active licences' quantities in this pool.")
    consumption: int
    position: int = Field(..., description="Entitlements − consumption; negative: shortfall.")
    compliant: bool


class LicenceOut(Schema):
    id: int
    tenant: str
    name: str
    product: ProductRef
    metric: str
    quantity: int
    term_start: date | None
    term_end: date | None
    active: bool
    cost: Decimal | None
    assigned_users: list[UserRef]
    compliance: ComplianceOut
    version: int


class LicencePage(Schema):
    items: list[LicenceOut]
    next: str | None


class _LicenceFields(In):
    name: str | None = Field(None, max_length=200)
    product: Id | None = None
    metric: MetricName | None = None  # type: ignore[valid-type]
    quantity: int | None = Field(None, ge=0, le=1_000_000_000)
    term_start: Day | None = None
    term_end: Day | None = None
    cost: Money | None = None
    assigned_users: list[UserKey] | None = Field(None, max_length=5000)


class LicenceCreate(_LicenceFields):
    name: str = Field(..., min_length=1, max_length=200)
    product: Id
    tenant: str | None = Field(None, max_length=64, description="Tenant slug; default: yours.")


class LicenceUpdate(_LicenceFields):
    pass


class LicenceFilters(Schema):
    product: Id | None = None
    metric: str | None = Field(None, max_length=50)
    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor = None


# --- contracts --------------------------------------------------------------------------------


class ContractOut(Schema):
    id: int
    tenant: str
    name: str
    type: str
    vendor: str
    start_date: date | None
    end_date: date | None
    renewal_notice_days: int
    notice_date: date | None = Field(..., description="The last day to give renewal notice.")
    cost: Decimal | None
    description: str
    covered_assets: list[Ref]
    version: int


class ContractPage(Schema):
    items: list[ContractOut]
    next: str | None


class _ContractFields(In):
    name: str | None = Field(None, max_length=200)
    type: ContractTypeName | None = None  # type: ignore[valid-type]
    vendor: str | None = Field(None, max_length=200)
    start_date: Day | None = None
    end_date: Day | None = None
    renewal_notice_days: int | None = Field(None, ge=0, le=3650)
    cost: Money | None = None
    description: str | None = Field(None, max_length=20000)
    covered_assets: list[Id] | None = Field(None, max_length=5000)


class ContractCreate(_ContractFields):
    name: str = Field(..., min_length=1, max_length=200)
    vendor: str = Field(..., min_length=1, max_length=200)
    tenant: str | None = Field(None, max_length=64, description="Tenant slug; default: yours.")


class ContractUpdate(_ContractFields):
    pass


class ContractFilters(Schema):
    type: str | None = Field(None, max_length=200)
    vendor: str | None = Field(None, max_length=200)
    asset: Id | None = Field(None, description="Contracts covering this asset.")
    ends_before: Day | None = Field(None, description="Ends on or before.")
    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor = None


# --- end-of-life report -----------------------------------------------------------------------


class ServiceRisk(Schema):
    id: int
    name: str
    kind: str
    criticality: str


class EolInstallation(Schema):
    id: int
    ci: Ref


class EolGroup(Schema):
    product: ProductRef
    version: VersionOut
    phase: str = Field(..., description="past_end_of_life, past_end_of_support, …_due.")
    days_to_end_of_support: int | None
    days_to_end_of_life: int | None
    installations: list[EolInstallation]
    services_at_risk: list[ServiceRisk]


class EolCounts(Schema):
    past: int = Field(..., description="Installations already past end of support or life.")
    within_90: int
    within_180: int
    within_365: int


class EolOut(Schema):
    today: date
    within: int
    counts: EolCounts
    groups: list[EolGroup]


class EolParams(Schema):
    within: int = Field(90, ge=0, le=3650, description="Days ahead (90, 180, 365 …).")
    depth: int = Field(5, ge=1, le=25, description="Dependency edges to follow to services.")
