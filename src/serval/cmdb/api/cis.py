"""Configuration items: list, create, import, read, edit, delete, history."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Status
from ninja.files import UploadedFile

from serval.api import workitems
from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.imports import ImportOut, import_out, read_upload
from serval.api.paging import page, parse_csv
from serval.api.schemas import Id, problems
from serval.cmdb import actions, imports
from serval.cmdb.api._router import router
from serval.cmdb.api.common import tenant_by_slug
from serval.cmdb.api.schemas import (
    RELATED,
    CICreate,
    CIFilters,
    CIOut,
    CIPage,
    CIUpdate,
    PageParams,
)
from serval.cmdb.models import (
    CI,
    CIClass,
    Environment,
    LifecycleStage,
    OperationalStatus,
)
from serval.cmdb.querysets import (
    access_ci,
    cis_visible_to,
    class_with_descendants,
    classes_visible_to,
)
from serval.core.errors import ValidationFailed
from serval.core.models import JournalEvent
from serval.people.models import User
from serval.people.querysets import teams_visible_to
from serval.services.models import Criticality


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
    tenant = tenant_by_slug(user, data.pop("tenant", None))
    ci = actions.create_ci(actor=user, tenant=tenant, **data)
    response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{ci.pk}")
    return Status(201, _respond(response, ci))


@router.post("/cis/import", response={200: ImportOut, **problems(403, 413)})
def import_cis(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = True
) -> dict[str, Any]:
    """Create or update CIs from CSV or XLSX (columns: class, name, identifiers, …,
    attr:<name>).

    A dry run (the default) writes nothing; a real run writes every row or — if any row has an
    error — none. Rows matching an existing CI by an identifier update it.
    """
    data, name = read_upload(file)
    result = imports.import_cis(actor=actor(request), data=data, dry_run=dry_run, filename=name)
    return import_out(result)


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
