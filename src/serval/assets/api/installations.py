"""Installations: which CIs run which software versions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Status

from serval.api.auth import actor
from serval.api.paging import page
from serval.api.schemas import Id, problems
from serval.assets import schemas as s
from serval.assets import software
from serval.assets.api._router import router
from serval.assets.api.common import (
    located,
    one_of,
    ref,
    version_out,
)
from serval.assets.models import (
    Installation,
)
from serval.assets.querysets import (
    access_installation,
    installations_visible_to,
    versions_visible_to,
)
from serval.cmdb.querysets import cis_visible_to
from serval.people.models import User

# --- installations ----------------------------------------------------------------------------


def installation_out(i: Installation) -> dict[str, Any]:
    return {
        "id": i.pk,
        "ci": ref(i.ci),
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
    ci = one_of(cis_visible_to(user).select_related("tenant"), payload.ci, "ci", _("Unknown CI."))
    version = one_of(
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
    located(request, response, inst.pk)
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
