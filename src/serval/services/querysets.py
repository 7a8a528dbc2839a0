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


def service_visible_q(user: User, path: str = "") -> Q | None:
    """The service visibility rule as a condition on the service at `path` ("service"), or
    None when the user sees none: filtering related rows through it is a join, where
    `service__in=services_visible_to(user)` had the database list every visible service."""
    from serval.services.models import ServiceStatus

    if not getattr(user, "is_authenticated", False):
        return None
    own = reach(user)
    if not own:
        return None
    at = f"{path}__" if path else ""
    inherited = shared_reach(user) - own
    rule = Q(**{f"{at}tenant_id__in": own})
    if inherited:
        rule |= Q(**{f"{at}tenant_id__in": inherited, f"{at}shared": True})
    if not user.is_agent:
        rule &= Q(**{f"{at}status": ServiceStatus.LIVE})
    return rule


def services_visible_to(user: User) -> QuerySet[Service]:
    from serval.services.models import Service

    rule = service_visible_q(user)
    return Service.objects.none() if rule is None else Service.objects.filter(rule)


def access_service(user: User, pk: int) -> Service:
    """The service if the user may see it; anything else is NotFound (never 403)."""
    service = services_visible_to(user).filter(pk=pk).first()
    if service is None:
        raise NotFound("No such service.")
    return service
