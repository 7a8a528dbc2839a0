"""Who sees which services — decided here only (DESIGN.md rule 2).

Services are reference data: the tenants a user works in, plus services shared down from their
ancestors. Requesters see the catalogue only — live services — and never pipeline or retired ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from serval.core.errors import NotFound
from serval.core.tenancy import reach, shared_reach

if TYPE_CHECKING:
    from serval.people.models import User
    from serval.services.models import Service


def services_visible_to(user: User) -> QuerySet[Service]:
    from serval.services.models import Service, ServiceStatus

    if not getattr(user, "is_authenticated", False):
        return Service.objects.none()
    own = reach(user)
    if not own:
        return Service.objects.none()
    inherited = shared_reach(user) - own
    qs = Service.objects.filter(Q(tenant_id__in=own) | Q(tenant_id__in=inherited, shared=True))
    if not user.is_agent:
        qs = qs.filter(status=ServiceStatus.LIVE)
    return qs


def access_service(user: User, pk: int) -> Service:
    """The service if the user may see it; anything else is NotFound (never 403)."""
    service = services_visible_to(user).filter(pk=pk).first()
    if service is None:
        raise NotFound("No such service.")
    return service
