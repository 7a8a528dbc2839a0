"""Service links: which CIs realize which services (and offerings)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status

from serval.api.auth import actor
from serval.api.paging import MAX_LIMIT
from serval.api.schemas import Id, problems
from serval.cmdb import actions
from serval.cmdb.api._router import router
from serval.cmdb.api.schemas import (
    ServiceLinkFilters,
    ServiceLinkIn,
    ServiceLinkOut,
)
from serval.cmdb.models import (
    ServiceCI,
)
from serval.cmdb.querysets import (
    cis_visible_to,
)
from serval.core.errors import NotFound, ValidationFailed
from serval.people.models import User
from serval.services.querysets import services_visible_to

# --- service links ----------------------------------------------------------------------------


def _link_out(link: ServiceCI) -> dict[str, Any]:
    return {
        "id": link.pk,
        "service": {"id": link.service.pk, "name": link.service.name},
        "ci": {"id": link.ci.pk, "name": link.ci.name},
    }


def _links(user: User) -> Any:
    return ServiceCI.objects.filter(
        ci__in=cis_visible_to(user), service__in=services_visible_to(user)
    ).select_related("service", "ci")


@router.get("/service-links", response={200: list[ServiceLinkOut], **problems()})
def list_service_links(
    request: HttpRequest, filters: Query[ServiceLinkFilters]
) -> list[dict[str, Any]]:
    """Which CIs realize which services (filter by one service or one CI)."""
    qs = _links(actor(request))
    if filters.service is not None:
        qs = qs.filter(service_id=filters.service)
    if filters.ci is not None:
        qs = qs.filter(ci_id=filters.ci)
    return [_link_out(link) for link in qs.order_by("pk")[: MAX_LIMIT * 5]]


@router.post("/service-links", response={201: ServiceLinkOut, **problems(403, 404)})
def create_service_link(request: HttpRequest, payload: ServiceLinkIn) -> Status[dict[str, Any]]:
    """Say a service (or offering) is realized by — depends on — a CI."""
    user = actor(request)
    ci = cis_visible_to(user).filter(pk=payload.ci).select_related("tenant").first()
    service = services_visible_to(user).filter(pk=payload.service).select_related("tenant").first()
    errors = {}
    if ci is None:
        errors["ci"] = _("Unknown CI.")
    if service is None:
        errors["service"] = _("Unknown service.")
    if errors or ci is None or service is None:
        raise ValidationFailed(errors)
    link = actions.link_service(actor=user, service=service, ci=ci)
    return Status(201, _link_out(link))


@router.delete("/service-links/{id}", response={204: None, **problems(403, 404)})
def delete_service_link(request: HttpRequest, id: Id) -> Status[None]:
    user = actor(request)
    link = _links(user).filter(pk=id).first()
    if link is None:
        raise NotFound(_("No such service link."))
    actions.unlink_service(actor=user, link=link)
    return Status(204, None)
