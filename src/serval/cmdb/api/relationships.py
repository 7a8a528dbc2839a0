"""Typed, directed relationships between CIs."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Status
from ninja.files import UploadedFile

from serval.api.auth import actor
from serval.api.imports import ImportOut, import_out, read_upload
from serval.api.paging import page
from serval.api.schemas import Id, problems
from serval.cmdb import actions, imports
from serval.cmdb.api._router import router
from serval.cmdb.api.schemas import (
    RelationshipFilters,
    RelationshipIn,
    RelationshipOut,
    RelationshipPage,
)
from serval.cmdb.models import (
    CIRelationship,
    RelationshipType,
)
from serval.cmdb.querysets import (
    cis_visible_to,
    relationships_visible_to,
)
from serval.core.errors import NotFound, ValidationFailed


def relationship_out(rel: CIRelationship) -> dict[str, Any]:
    return {
        "id": rel.pk,
        "parent": {"id": rel.parent.pk, "name": rel.parent.name},
        "type": rel.type.name,
        "child": {"id": rel.child.pk, "name": rel.child.name},
        "created_at": rel.created_at,
    }


def _type(name: str) -> RelationshipType:
    found = RelationshipType.objects.filter(name=name).first()
    if found is None:
        raise ValidationFailed({"type": _("Unknown relationship type.")})
    return found


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


@router.post("/relationships/import", response={200: ImportOut, **problems(403, 413)})
def import_relationships(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = True
) -> dict[str, Any]:
    """Create relationships from CSV or XLSX (columns: parent, type, child).

    Each end names a CI by host name, FQDN, serial, cloud id or unique name; the type by its
    name or label. A dry run (the default) writes nothing; a real run writes every row or — if
    any row has an error — none. Relationships that exist already count as unchanged.
    """
    data, name = read_upload(file)
    result = imports.import_relationships(
        actor=actor(request), data=data, dry_run=dry_run, filename=name
    )
    return import_out(result)


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
