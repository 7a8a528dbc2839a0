"""Contracts with their renewal notice and covered assets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Status

from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.paging import page, parse_csv
from serval.api.schemas import Id, problems
from serval.assets import actions
from serval.assets import schemas as s
from serval.assets.api._router import router
from serval.assets.api.common import (
    located,
    many_of,
    ref,
    tenant_by_slug,
)
from serval.assets.models import (
    Asset,
    Contract,
    ContractType,
)
from serval.assets.querysets import (
    access_contract,
    assets_visible_to,
    contracts_visible_to,
)
from serval.people.models import User

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
        "covered_assets": [ref(a) for a in c.covered_assets.all()],
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
        data["covered_assets"] = many_of(
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
    tenant = tenant_by_slug(user, data.pop("tenant", None))
    contract = actions.create_contract(actor=user, tenant=tenant, **data)
    located(request, response, contract.pk)
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
