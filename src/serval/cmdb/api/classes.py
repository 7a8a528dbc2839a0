"""CI classes and relationship types: the CMDB's reference data."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Status

from serval.api.auth import actor
from serval.api.schemas import Id, problems
from serval.cmdb import actions
from serval.cmdb.api._router import router
from serval.cmdb.api.common import tenant_by_slug
from serval.cmdb.api.schemas import (
    ClassCreate,
    ClassOut,
    ClassUpdate,
    TypeOut,
)
from serval.cmdb.models import (
    CIClass,
    RelationshipType,
)
from serval.cmdb.querysets import (
    access_class,
    classes_visible_to,
)


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


# --- classes and types ------------------------------------------------------------------------


@router.get("/classes", response={200: list[ClassOut], **problems()}, by_alias=True)
def list_classes(request: HttpRequest) -> list[dict[str, Any]]:
    """The class tree the caller sees (built-in and own), each with its effective schema."""
    qs = classes_visible_to(actor(request)).select_related("tenant", "parent__parent__parent")
    return [class_out(c) for c in qs.order_by("name", "pk")]


@router.post("/classes", response={201: ClassOut, **problems(403, 404)}, by_alias=True)
def create_class(request: HttpRequest, payload: ClassCreate) -> Status[dict[str, Any]]:
    """Add a class (administrators); its schema adds to its parent's."""
    user = actor(request)
    data = payload.model_dump(exclude_unset=True, by_alias=True)
    tenant = tenant_by_slug(user, data.pop("tenant", None) or None) or user.tenant
    if data.get("parent") is not None:
        data["parent"] = access_class(user, data["parent"])
    ci_class = actions.create_class(actor=user, tenant=tenant, **data)
    return Status(201, class_out(ci_class))


@router.get("/classes/{id}", response={200: ClassOut, **problems(404)}, by_alias=True)
def get_class(request: HttpRequest, id: Id) -> dict[str, Any]:
    return class_out(access_class(actor(request), id))


@router.patch("/classes/{id}", response={200: ClassOut, **problems(403, 404)}, by_alias=True)
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
