"""The software catalogue: products and their versions with lifecycle dates."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Status

from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.paging import page
from serval.api.schemas import Id, problems
from serval.assets import schemas as s
from serval.assets import software
from serval.assets.api._router import router
from serval.assets.api.common import (
    located,
    one_of,
    tenant_by_slug,
    version_out,
)
from serval.assets.models import (
    SoftwareProduct,
    SoftwareVersion,
)
from serval.assets.querysets import (
    access_product,
    access_version,
    products_visible_to,
    versions_visible_to,
)
from serval.people.models import User

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
    tenant = tenant_by_slug(user, data.pop("tenant", None))
    product = software.create_product(actor=user, tenant=tenant, **data)
    located(request, response, product.pk)
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
    product = one_of(
        products_visible_to(user).select_related("tenant"),
        data.pop("product"),
        "product",
        _("Unknown software product."),
    )
    version = software.create_version(actor=user, product=product, **data)
    located(request, response, version.pk)
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
        actor=user,
        software_version=v,
        expected_version=expected,
        **payload.model_dump(exclude_unset=True),
    )
    return _version_response(response, v)


@router.delete("/versions/{id}", response={204: None, **problems(403, 404)})
def delete_version(request: HttpRequest, id: Id) -> Status[None]:
    user = actor(request)
    software.delete_version(actor=user, version=access_version(user, id))
    return Status(204, None)
