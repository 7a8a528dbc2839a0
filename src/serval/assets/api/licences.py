"""Licences with the compliance position of their pool."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Status

from serval.api import workitems
from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.paging import page, parse_csv
from serval.api.schemas import Id, problems
from serval.assets import compliance, software
from serval.assets import schemas as s
from serval.assets.api._router import router
from serval.assets.api.common import (
    located,
    one_of,
    product_ref,
    tenant_by_slug,
)
from serval.assets.models import (
    Licence,
    LicenceMetric,
)
from serval.assets.querysets import (
    access_licence,
    licences_visible_to,
    products_visible_to,
)
from serval.people.models import User

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
                "product": product_ref(x.product),
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
        data["product"] = one_of(
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
    tenant = tenant_by_slug(user, data.pop("tenant", None))
    licence = software.create_licence(actor=user, tenant=tenant, **data)
    located(request, response, licence.pk)
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
