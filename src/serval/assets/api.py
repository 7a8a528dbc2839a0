"""The IT asset REST API at /api/v1/assets: assets, software, licences, contracts, EOL report.

A thin adapter (DESIGN.md rule 1): reads through `serval.assets.querysets` (out of reach → 404),
writes through `serval.assets.actions` and `serval.assets.software`. Lists use the shared keyset
pagination, each filter backed by an index. Linked records given by id are looked up among those
the caller may see — an unknown or unreachable one is a field error, never a leak — and the
actions then refuse any that belong to another tenant than the record.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from serval.api import workitems
from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.paging import DEFAULT_LIMIT, page, parse_csv
from serval.api.schemas import Id, problems
from serval.assets import actions, compliance, eol, imports, software
from serval.assets import schemas as s
from serval.assets.models import (
    Asset,
    AssetKind,
    Contract,
    ContractType,
    Installation,
    Licence,
    LicenceMetric,
    SoftwareProduct,
    SoftwareVersion,
)
from serval.assets.querysets import (
    access_asset,
    access_contract,
    access_installation,
    access_licence,
    access_product,
    access_version,
    assets_visible_to,
    contracts_visible_to,
    installations_visible_to,
    licences_visible_to,
    products_visible_to,
    versions_visible_to,
)
from serval.cmdb.models import LifecycleStage
from serval.cmdb.querysets import cis_visible_to
from serval.core.errors import ValidationFailed
from serval.core.imports import MAX_BYTES as MAX_IMPORT_BYTES
from serval.core.models import JournalEvent, Tenant
from serval.core.tenancy import reach
from serval.people.models import User

router = Router(tags=["assets"])


# --- helpers ----------------------------------------------------------------------------------


def _tenant(user: User, slug: str | None) -> Tenant | None:
    if slug is None:
        return None
    tenant = Tenant.objects.filter(pk__in=reach(user), slug=slug).first()
    if tenant is None:
        raise ValidationFailed({"tenant": _("Unknown tenant.")})
    return tenant


def _ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def _product_ref(p: SoftwareProduct) -> dict[str, Any]:
    return {"id": p.pk, "vendor": p.vendor, "name": p.name}


def _located(request: HttpRequest, response: HttpResponse, pk: int) -> None:
    response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{pk}")


def _one_of(qs: QuerySet[Any], pk: int, field: str, message: str) -> Any:
    found = qs.filter(pk=pk).first()
    if found is None:
        raise ValidationFailed({field: message})
    return found


def _many_of(qs: QuerySet[Any], ids: list[int], field: str, message: str) -> list[Any]:
    found = list(qs.filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise ValidationFailed({field: message})
    return found


# --- end-of-life report -----------------------------------------------------------------------


def version_out(v: SoftwareVersion) -> dict[str, Any]:
    return {
        "id": v.pk,
        "product": _product_ref(v.product),
        "version": v.version,
        "ga_date": v.ga_date,
        "end_of_support": v.end_of_support,
        "end_of_extended_support": v.end_of_extended_support,
        "end_of_life": v.end_of_life,
        "dates_source": v.dates_source,
        "row_version": v.row_version,
    }


@router.get("/eol", response={200: s.EolOut, **problems()})
def eol_report(request: HttpRequest, params: Query[s.EolParams]) -> dict[str, Any]:
    """Installations reaching end of support or end of life within `within` days (and those
    already past), grouped by product version, with the services they put at risk through the
    CMDB's dependency edges. Counts per horizon (90 / 180 / 365, cumulative) and past."""
    result = eol.report(actor(request), within=params.within, depth=params.depth)
    counts = result.counts
    return {
        "today": result.today,
        "within": result.within,
        "counts": {
            "past": counts["past"],
            "within_90": counts["90"],
            "within_180": counts["180"],
            "within_365": counts["365"],
        },
        "groups": [
            {
                "product": _product_ref(g.version.product),
                "version": version_out(g.version),
                "phase": g.phase,
                "days_to_end_of_support": g.days_to_end_of_support,
                "days_to_end_of_life": g.days_to_end_of_life,
                "installations": [{"id": i.pk, "ci": _ref(i.ci)} for i in g.installations],
                "services_at_risk": [
                    {"id": x.pk, "name": x.name, "kind": x.kind, "criticality": x.criticality}
                    for x in g.services
                ],
            }
            for g in result.groups
        ],
    }


# --- products ---------------------------------------------------------------------------------


def product_out(p: SoftwareProduct) -> dict[str, Any]:
    return {
        "id": p.pk,
        "tenant": p.tenant.slug,
        "vendor": p.vendor,
        "name": p.name,
        "description": p.description,
        "shared": p.shared,
        "versions": [version_out(v) for v in p.versions.all()],
        "version": p.version,
    }


def _products(user: User) -> QuerySet[SoftwareProduct]:
    versions = SoftwareVersion.objects.select_related("product").order_by("version", "pk")
    return (
        products_visible_to(user)
        .select_related("tenant")
        .prefetch_related(Prefetch("versions", queryset=versions))
    )


def _product_response(response: HttpResponse, pk: int, user: User) -> dict[str, Any]:
    fresh = _products(user).get(pk=pk)
    response["ETag"] = etag(fresh.pk, fresh.version)
    return product_out(fresh)


@router.get("/products", response={200: s.ProductPage, **problems()})
def list_products(request: HttpRequest, filters: Query[s.ProductFilters]) -> dict[str, Any]:
    """The software catalogue the caller sees (own and shared down), each with its versions."""
    qs = _products(actor(request))
    if filters.vendor:
        qs = qs.filter(vendor=filters.vendor.strip())
    if filters.q:
        qs = qs.filter(
            Q(vendor__icontains=filters.q.strip()) | Q(name__icontains=filters.q.strip())
        )
    rows, nxt = page(request, qs, ordering="name", limit=filters.limit, cursor=filters.cursor)
    return {"items": [product_out(p) for p in rows], "next": nxt}


@router.post("/products", response={201: s.ProductOut, **problems(403, 404)})
def create_product(
    request: HttpRequest, payload: s.ProductCreate, response: HttpResponse
) -> Status[dict[str, Any]]:
    """Add a product (administrators); vendor + name unique per tenant."""
    user = actor(request)
    data = payload.model_dump(exclude_unset=True)
    tenant = _tenant(user, data.pop("tenant", None))
    product = software.create_product(actor=user, tenant=tenant, **data)
    _located(request, response, product.pk)
    return Status(201, _product_response(response, product.pk, user))


@router.get("/products/{id}", response={200: s.ProductOut, **problems(404)})
def get_product(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    user = actor(request)
    return _product_response(response, access_product(user, id).pk, user)


@router.patch("/products/{id}", response={200: s.ProductOut, **problems(403, 404, 412)})
def update_product(
    request: HttpRequest, id: Id, payload: s.ProductUpdate, response: HttpResponse
) -> dict[str, Any]:
    user = actor(request)
    product = access_product(user, id)
    version = expected_version(request, pk=product.pk, current=product.version)
    software.update_product(
        actor=user,
        product=product,
        expected_version=version,
        **payload.model_dump(exclude_unset=True),
    )
    return _product_response(response, product.pk, user)


@router.delete("/products/{id}", response={204: None, **problems(403, 404)})
def delete_product(request: HttpRequest, id: Id) -> Status[None]:
    """Remove a product and its versions; refused while installed or licensed."""
    user = actor(request)
    software.delete_product(actor=user, product=access_product(user, id))
    return Status(204, None)


# --- versions ---------------------------------------------------------------------------------


def _version_response(response: HttpResponse, v: SoftwareVersion) -> dict[str, Any]:
    fresh = SoftwareVersion.objects.select_related("product").get(pk=v.pk)
    response["ETag"] = etag(fresh.pk, fresh.row_version)
    return version_out(fresh)


@router.get("/versions", response={200: s.VersionPage, **problems()})
def list_versions(request: HttpRequest, filters: Query[s.VersionFilters]) -> dict[str, Any]:
    """Versions with their GA, end of support, extended support and end of life dates."""
    qs = versions_visible_to(actor(request)).select_related("product")
    if filters.product is not None:
        qs = qs.filter(product_id=filters.product)
    if filters.support_ends_before is not None:
        qs = qs.filter(end_of_support__lte=filters.support_ends_before)
    if filters.life_ends_before is not None:
        qs = qs.filter(end_of_life__lte=filters.life_ends_before)
    rows, nxt = page(request, qs, ordering="id", limit=filters.limit, cursor=filters.cursor)
    return {"items": [version_out(v) for v in rows], "next": nxt}


@router.post("/versions", response={201: s.VersionOut, **problems(403, 404)})
def create_version(
    request: HttpRequest, payload: s.VersionCreate, response: HttpResponse
) -> Status[dict[str, Any]]:
    """Add a version of a product (administrators of the product's tenant)."""
    user = actor(request)
    data = payload.model_dump(exclude_unset=True)
    product = _one_of(
        products_visible_to(user).select_related("tenant"),
        data.pop("product"),
        "product",
        _("Unknown software product."),
    )
    version = software.create_version(actor=user, product=product, **data)
    _located(request, response, version.pk)
    return Status(201, _version_response(response, version))


@router.get("/versions/{id}", response={200: s.VersionOut, **problems(404)})
def get_version(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    return _version_response(response, access_version(actor(request), id))


@router.patch("/versions/{id}", response={200: s.VersionOut, **problems(403, 404, 412)})
def update_version(
    request: HttpRequest, id: Id, payload: s.VersionUpdate, response: HttpResponse
) -> dict[str, Any]:
    user = actor(request)
    v = access_version(user, id)
    expected = expected_version(request, pk=v.pk, current=v.row_version)
    v = software.update_version(
        actor=user, version=v, expected_version=expected, **payload.model_dump(exclude_unset=True)
    )
    return _version_response(response, v)


@router.delete("/versions/{id}", response={204: None, **problems(403, 404)})
def delete_version(request: HttpRequest, id: Id) -> Status[None]:
    user = actor(request)
    software.delete_version(actor=user, version=access_version(user, id))
    return Status(204, None)


# --- installations ----------------------------------------------------------------------------


def installation_out(i: Installation) -> dict[str, Any]:
    return {
        "id": i.pk,
        "ci": _ref(i.ci),
        "software_version": version_out(i.software_version),
        "installed_at": i.installed_at,
        "discovered": i.discovered,
        "created_at": i.created_at,
    }


def _installations(user: User) -> QuerySet[Installation]:
    return installations_visible_to(user).select_related("ci", "software_version__product")


@router.get("/installations", response={200: s.InstallationPage, **problems()})
def list_installations(
    request: HttpRequest, filters: Query[s.InstallationFilters]
) -> dict[str, Any]:
    """Which CIs run which versions, by CI, version, product or discovery."""
    qs = _installations(actor(request))
    if filters.ci is not None:
        qs = qs.filter(ci_id=filters.ci)
    if filters.software_version is not None:
        qs = qs.filter(software_version_id=filters.software_version)
    if filters.product is not None:
        qs = qs.filter(software_version__product_id=filters.product)
    if filters.discovered is not None:
        qs = qs.filter(discovered=filters.discovered)
    rows, nxt = page(request, qs, ordering="id", limit=filters.limit, cursor=filters.cursor)
    return {"items": [installation_out(i) for i in rows], "next": nxt}


@router.post("/installations", response={201: s.InstallationOut, **problems(403, 404)})
def create_installation(
    request: HttpRequest, payload: s.InstallationCreate, response: HttpResponse
) -> Status[dict[str, Any]]:
    """Record that a CI runs a version (agents of the CI's tenant)."""
    user = actor(request)
    ci = _one_of(cis_visible_to(user).select_related("tenant"), payload.ci, "ci", _("Unknown CI."))
    version = _one_of(
        versions_visible_to(user).select_related("product__tenant"),
        payload.software_version,
        "software_version",
        _("Unknown software version."),
    )
    inst = software.create_installation(
        actor=user,
        ci=ci,
        software_version=version,
        installed_at=payload.installed_at,
        discovered=payload.discovered,
    )
    _located(request, response, inst.pk)
    return Status(201, installation_out(_installations(user).get(pk=inst.pk)))


@router.get("/installations/{id}", response={200: s.InstallationOut, **problems(404)})
def get_installation(request: HttpRequest, id: Id) -> dict[str, Any]:
    user = actor(request)
    return installation_out(_installations(user).get(pk=access_installation(user, id).pk))


@router.patch("/installations/{id}", response={200: s.InstallationOut, **problems(403, 404)})
def update_installation(
    request: HttpRequest, id: Id, payload: s.InstallationUpdate
) -> dict[str, Any]:
    user = actor(request)
    inst = access_installation(user, id)
    data = payload.model_dump(exclude_unset=True)
    if data.get("discovered", False) is None:
        data.pop("discovered")
    software.update_installation(actor=user, installation=inst, **data)
    return installation_out(_installations(user).get(pk=inst.pk))


@router.delete("/installations/{id}", response={204: None, **problems(403, 404)})
def delete_installation(request: HttpRequest, id: Id) -> Status[None]:
    user = actor(request)
    software.delete_installation(actor=user, installation=access_installation(user, id))
    return Status(204, None)


# --- licences ---------------------------------------------------------------------------------


def licences_out(licences: list[Licence]) -> list[dict[str, Any]]:
    """Licences with their pools' compliance positions, computed for all of them at once."""
    today = timezone.localdate()
    positions = compliance.positions((compliance.pool_of(x) for x in licences), today=today)
    out = []
    for x in licences:
        pos = positions[compliance.pool_of(x)]
        out.append(
            {
                "id": x.pk,
                "tenant": x.tenant.slug,
                "name": x.name,
                "product": _product_ref(x.product),
                "metric": x.metric,
                "quantity": x.quantity,
                "term_start": x.term_start,
                "term_end": x.term_end,
                "active": (x.term_start is None or x.term_start <= today)
                and (x.term_end is None or x.term_end >= today),
                "cost": x.cost,
                "assigned_users": [
                    workitems.user_ref(u)
                    for u in sorted(x.assigned_users.all(), key=lambda u: u.username)
                ],
                "compliance": {
                    "metric": pos.metric,
                    "entitlements": pos.entitlements,
                    "consumption": pos.consumption,
                    "position": pos.position,
                    "compliant": pos.compliant,
                },
                "version": x.version,
            }
        )
    return out


def _licences(user: User) -> QuerySet[Licence]:
    return (
        licences_visible_to(user)
        .select_related("tenant", "product")
        .prefetch_related("assigned_users")
    )


def _licence_response(response: HttpResponse, user: User, pk: int) -> dict[str, Any]:
    fresh = _licences(user).get(pk=pk)
    response["ETag"] = etag(fresh.pk, fresh.version)
    return licences_out([fresh])[0]


def _resolve_licence(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    user = actor(request)
    if data.get("product") is not None:
        data["product"] = _one_of(
            products_visible_to(user).select_related("tenant"),
            data["product"],
            "product",
            _("Unknown software product."),
        )
    if data.get("assigned_users") is not None:
        data["assigned_users"] = [
            workitems.find_user(request, key, field="assigned_users")
            for key in data["assigned_users"]
        ]
    return data


@router.get("/licences", response={200: s.LicencePage, **problems()})
def list_licences(request: HttpRequest, filters: Query[s.LicenceFilters]) -> dict[str, Any]:
    """Licences with the compliance position (entitlements − consumption) of their pool."""
    qs = _licences(actor(request))
    if filters.product is not None:
        qs = qs.filter(product_id=filters.product)
    metrics = parse_csv(filters.metric, LicenceMetric.values, field="metric")
    if metrics:
        qs = qs.filter(metric__in=metrics)
    rows, nxt = page(request, qs, ordering="name", limit=filters.limit, cursor=filters.cursor)
    return {"items": licences_out(rows), "next": nxt}


@router.post("/licences", response={201: s.LicenceOut, **problems(403, 404)})
def create_licence(
    request: HttpRequest, payload: s.LicenceCreate, response: HttpResponse
) -> Status[dict[str, Any]]:
    """Record an entitlement (agents): product, metric, quantity, term, assigned users."""
    user = actor(request)
    data = _resolve_licence(request, payload.model_dump(exclude_unset=True))
    tenant = _tenant(user, data.pop("tenant", None))
    licence = software.create_licence(actor=user, tenant=tenant, **data)
    _located(request, response, licence.pk)
    return Status(201, _licence_response(response, user, licence.pk))


@router.get("/licences/{id}", response={200: s.LicenceOut, **problems(404)})
def get_licence(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    user = actor(request)
    return _licence_response(response, user, access_licence(user, id).pk)


@router.patch("/licences/{id}", response={200: s.LicenceOut, **problems(403, 404, 412)})
def update_licence(
    request: HttpRequest, id: Id, payload: s.LicenceUpdate, response: HttpResponse
) -> dict[str, Any]:
    user = actor(request)
    licence = access_licence(user, id)
    expected = expected_version(request, pk=licence.pk, current=licence.version)
    data = _resolve_licence(request, payload.model_dump(exclude_unset=True))
    software.update_licence(actor=user, licence=licence, expected_version=expected, **data)
    return _licence_response(response, user, licence.pk)


@router.delete("/licences/{id}", response={204: None, **problems(403, 404)})
def delete_licence(request: HttpRequest, id: Id) -> Status[None]:
    user = actor(request)
    software.delete_licence(actor=user, licence=access_licence(user, id))
    return Status(204, None)


# --- contracts --------------------------------------------------------------------------------


def contract_out(c: Contract) -> dict[str, Any]:
    notice = None
    if c.end_date is not None:
        notice = c.end_date - timedelta(days=c.renewal_notice_days)
    return {
        "id": c.pk,
        "tenant": c.tenant.slug,
        "name": c.name,
        "type": c.type,
        "vendor": c.vendor,
        "start_date": c.start_date,
        "end_date": c.end_date,
        "renewal_notice_days": c.renewal_notice_days,
        "notice_date": notice,
        "cost": c.cost,
        "description": c.description,
        "covered_assets": [_ref(a) for a in c.covered_assets.all()],
        "version": c.version,
    }


def _contracts(user: User) -> QuerySet[Contract]:
    covered = Asset.objects.order_by("name", "pk").only("pk", "name")
    return (
        contracts_visible_to(user)
        .select_related("tenant")
        .prefetch_related(Prefetch("covered_assets", queryset=covered))
    )


def _contract_response(response: HttpResponse, user: User, pk: int) -> dict[str, Any]:
    fresh = _contracts(user).get(pk=pk)
    response["ETag"] = etag(fresh.pk, fresh.version)
    return contract_out(fresh)


def _resolve_contract(user: User, data: dict[str, Any]) -> dict[str, Any]:
    if data.get("covered_assets") is not None:
        data["covered_assets"] = _many_of(
            assets_visible_to(user), data["covered_assets"], "covered_assets", _("Unknown asset.")
        )
    return data


@router.get("/contracts", response={200: s.ContractPage, **problems()})
def list_contracts(request: HttpRequest, filters: Query[s.ContractFilters]) -> dict[str, Any]:
    """Contracts by type, vendor, covered asset or end date, with their renewal notice date."""
    qs = _contracts(actor(request))
    types = parse_csv(filters.type, ContractType.values, field="type")
    if types:
        qs = qs.filter(type__in=types)
    if filters.vendor:
        qs = qs.filter(vendor=filters.vendor.strip())
    if filters.asset is not None:
        qs = qs.filter(covered_assets__id=filters.asset)
    if filters.ends_before is not None:
        qs = qs.filter(end_date__lte=filters.ends_before)
    rows, nxt = page(request, qs, ordering="name", limit=filters.limit, cursor=filters.cursor)
    return {"items": [contract_out(c) for c in rows], "next": nxt}


@router.post("/contracts", response={201: s.ContractOut, **problems(403, 404)})
def create_contract(
    request: HttpRequest, payload: s.ContractCreate, response: HttpResponse
) -> Status[dict[str, Any]]:
    """Record a contract (agents) and the assets of its tenant it covers."""
    user = actor(request)
    data = _resolve_contract(user, payload.model_dump(exclude_unset=True))
    tenant = _tenant(user, data.pop("tenant", None))
    contract = actions.create_contract(actor=user, tenant=tenant, **data)
    _located(request, response, contract.pk)
    return Status(201, _contract_response(response, user, contract.pk))


@router.get("/contracts/{id}", response={200: s.ContractOut, **problems(404)})
def get_contract(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    user = actor(request)
    return _contract_response(response, user, access_contract(user, id).pk)


@router.patch("/contracts/{id}", response={200: s.ContractOut, **problems(403, 404, 412)})
def update_contract(
    request: HttpRequest, id: Id, payload: s.ContractUpdate, response: HttpResponse
) -> dict[str, Any]:
    user = actor(request)
    contract = access_contract(user, id)
    expected = expected_version(request, pk=contract.pk, current=contract.version)
    data = _resolve_contract(user, payload.model_dump(exclude_unset=True))
    actions.update_contract(actor=user, contract=contract, expected_version=expected, **data)
    return _contract_response(response, user, contract.pk)


@router.delete("/contracts/{id}", response={204: None, **problems(403, 404)})
def delete_contract(request: HttpRequest, id: Id) -> Status[None]:
    user = actor(request)
    actions.delete_contract(actor=user, contract=access_contract(user, id))
    return Status(204, None)


# --- import -----------------------------------------------------------------------------------


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


@router.post("/import", response={200: ImportOut, **problems(403, 413)})
def import_assets(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = True
) -> dict[str, Any]:
    """Create or update assets from CSV (columns: name, kind, asset_tag, serial, …, ci,
    assigned_to). A dry run (the default) writes nothing; a real run writes every row or — if
    any row has an error — none. A row whose tag or serial matches an asset updates it."""
    if file.size is None or file.size > MAX_IMPORT_BYTES:
        raise ValidationFailed({"file": _("At most 2 MB.")})
    result = imports.import_assets(actor=actor(request), data=file.read(), dry_run=dry_run)
    return {
        "dry_run": result.dry_run,
        "ok": result.ok,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "errors": [e.__dict__ for e in result.errors],
    }


# --- assets (last: "/{id}" must not shadow the paths above) -----------------------------------


def asset_out(a: Asset) -> dict[str, Any]:
    return {
        "id": a.pk,
        "tenant": a.tenant.slug,
        "name": a.name,
        "kind": a.kind,
        "asset_tag": a.asset_tag,
        "serial": a.serial,
        "model": a.model,
        "manufacturer": a.manufacturer,
        "ci": _ref(a.ci),
        "lifecycle_stage": a.lifecycle_stage,
        "lifecycle_status": a.lifecycle_status,
        "assigned_to": workitems.user_ref(a.assigned_to),
        "location": a.location,
        "cost_centre": a.cost_centre,
        "cost": a.cost,
        "purchase_order": a.purchase_order,
        "purchase_date": a.purchase_date,
        "vendor": a.vendor,
        "warranty_end": a.warranty_end,
        "lease_end": a.lease_end,
        "contracts": [_ref(c) for c in a.contracts.all()],
        "version": a.version,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
    }


def _assets(user: User) -> QuerySet[Asset]:
    contracts = Contract.objects.order_by("name", "pk").only("pk", "name")
    return (
        assets_visible_to(user)
        .select_related("tenant", "ci", "assigned_to")
        .prefetch_related(Prefetch("contracts", queryset=contracts))
    )


def _asset_response(response: HttpResponse, user: User, pk: int) -> dict[str, Any]:
    fresh = _assets(user).get(pk=pk)
    response["ETag"] = etag(fresh.pk, fresh.version)
    return asset_out(fresh)


def _resolve_asset(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    user = actor(request)
    if data.get("ci") is not None:
        data["ci"] = _one_of(cis_visible_to(user), data["ci"], "ci", _("Unknown CI."))
    if data.get("assigned_to") is not None:
        data["assigned_to"] = workitems.find_user(request, data["assigned_to"], field="assigned_to")
    return data


@router.get("", response={200: s.AssetPage, **problems()})
def list_assets(request: HttpRequest, filters: Query[s.AssetFilters]) -> dict[str, Any]:
    """Assets the caller may see, by kind, lifecycle, assignee, location, vendor, CI, warranty."""
    user = actor(request)
    qs = _assets(user)
    kinds = parse_csv(filters.kind, AssetKind.values, field="kind")
    if kinds:
        qs = qs.filter(kind__in=kinds)
    stages = parse_csv(filters.lifecycle_stage, LifecycleStage.values, field="lifecycle_stage")
    if stages:
        qs = qs.filter(lifecycle_stage__in=stages)
    if filters.lifecycle_status:
        qs = qs.filter(lifecycle_status=filters.lifecycle_status.strip())
    if filters.assigned_to:
        key: int | str = filters.assigned_to.strip()
        if isinstance(key, str) and key.isascii() and key.isdigit() and len(key) < 19:
            key = int(key)
        qs = qs.filter(assigned_to=workitems.find_user(request, key, field="assigned_to"))
    for name in ("location", "vendor", "asset_tag", "serial"):
        if getattr(filters, name):
            qs = qs.filter(**{name: getattr(filters, name).strip()})
    if filters.ci is not None:
        qs = qs.filter(ci_id=filters.ci)
    if filters.warranty_before is not None:
        qs = qs.filter(warranty_end__lte=filters.warranty_before)
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(
            Q(name__icontains=text) | Q(asset_tag__icontains=text) | Q(serial__icontains=text)
        )
    rows, nxt = page(
        request, qs, ordering=filters.ordering, limit=filters.limit, cursor=filters.cursor
    )
    return {"items": [asset_out(a) for a in rows], "next": nxt}


@router.post("", response={201: s.AssetOut, **problems(403, 404)})
def create_asset(
    request: HttpRequest, payload: s.AssetCreate, response: HttpResponse
) -> Status[dict[str, Any]]:
    """Record an asset (agents); a tag or serial in use, or a CI with an asset, is a field error."""
    user = actor(request)
    data = _resolve_asset(request, payload.model_dump(exclude_unset=True))
    tenant = _tenant(user, data.pop("tenant", None))
    asset = actions.create_asset(actor=user, tenant=tenant, **data)
    _located(request, response, asset.pk)
    return Status(201, _asset_response(response, user, asset.pk))


@router.get("/{id}", response={200: s.AssetOut, **problems(404)})
def get_asset(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    """One asset, with an ETag to send back in If-Match when editing."""
    user = actor(request)
    return _asset_response(response, user, access_asset(user, id).pk)


@router.patch("/{id}", response={200: s.AssetOut, **problems(403, 404, 412)})
def update_asset(
    request: HttpRequest, id: Id, payload: s.AssetUpdate, response: HttpResponse
) -> dict[str, Any]:
    """Edit an asset; the lifecycle status must belong to its stage; stale If-Match is 412."""
    user = actor(request)
    asset = access_asset(user, id)
    expected = expected_version(request, pk=asset.pk, current=asset.version)
    data = _resolve_asset(request, payload.model_dump(exclude_unset=True))
    actions.update_asset(actor=user, asset=asset, expected_version=expected, **data)
    return _asset_response(response, user, asset.pk)


@router.delete("/{id}", response={204: None, **problems(403, 404)})
def delete_asset(request: HttpRequest, id: Id) -> Status[None]:
    user = actor(request)
    actions.delete_asset(actor=user, asset=access_asset(user, id))
    return Status(204, None)


class PageParams(Schema):
    limit: s.Limit = DEFAULT_LIMIT
    cursor: s.Cursor = None


@router.get("/{id}/journal", response={200: workitems.JournalPage, **problems(404)})
def asset_journal(request: HttpRequest, id: Id, params: Query[PageParams]) -> dict[str, Any]:
    """The asset's history, oldest first: creation, field changes, CI links."""
    asset = access_asset(actor(request), id)
    qs = JournalEvent.objects.filter(subject_type="asset", subject_id=asset.pk).select_related(
        "actor"
    )
    rows, nxt = page(request, qs, ordering="seq", limit=params.limit, cursor=params.cursor)
    return {"items": [workitems.event_out(e) for e in rows], "next": nxt}
