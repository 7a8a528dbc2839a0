"""Assets: list, create, read, edit, delete, history."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Schema, Status

from serval.api import workitems
from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.paging import DEFAULT_LIMIT, page, parse_csv
from serval.api.schemas import Id, problems
from serval.assets import actions
from serval.assets import schemas as s
from serval.assets.api._router import router
from serval.assets.api.common import (
    located,
    one_of,
    ref,
    tenant_by_slug,
)
from serval.assets.models import (
    Asset,
    AssetKind,
    Contract,
)
from serval.assets.querysets import (
    access_asset,
    assets_visible_to,
)
from serval.cmdb.models import LifecycleStage
from serval.cmdb.querysets import cis_visible_to
from serval.core.models import JournalEvent
from serval.people.models import User

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
        "ci": ref(a.ci),
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
        "contracts": [ref(c) for c in a.contracts.all()],
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
        data["ci"] = one_of(cis_visible_to(user), data["ci"], "ci", _("Unknown CI."))
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
    tenant = tenant_by_slug(user, data.pop("tenant", None))
    asset = actions.create_asset(actor=user, tenant=tenant, **data)
    located(request, response, asset.pk)
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
