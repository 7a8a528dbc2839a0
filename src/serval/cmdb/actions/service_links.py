"""Actions on service links: a service (or offering) is realized by a CI."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from serval.cmdb import worklinks
from serval.cmdb.actions.permissions import (
    record,
    require_agent,
)
from serval.cmdb.models import (
    CI,
    ServiceCI,
)
from serval.core.errors import (
    ValidationFailed,
)
from serval.core.tenancy import reference_visible_in
from serval.people.models import User
from serval.services.models import Service

# --- service links ----------------------------------------------------------------------------


def link_service(*, actor: User, service: Service, ci: CI) -> ServiceCI:
    """Say that a service (or offering) is realized by — depends on — a CI."""
    require_agent(actor, ci.tenant_id)
    if not reference_visible_in(
        owner_tenant=service.tenant, shared=service.shared, target=ci.tenant
    ):
        raise ValidationFailed({"service": _("Unknown service.")})
    with transaction.atomic():
        CI.objects.select_for_update().filter(pk=ci.pk).first()
        Service.objects.select_for_update().filter(pk=service.pk).first()
        if ServiceCI.objects.filter(service=service, ci=ci).exists():
            raise ValidationFailed({"ci": _("This CI is already linked to the service.")})
        link = ServiceCI.objects.create(tenant_id=ci.tenant_id, service=service, ci=ci)
        data = {"service": service.pk, "ci": ci.pk}
        record(
            tenant=ci.tenant_id,
            subject="ci",
            pk=ci.pk,
            verb="service_linked",
            actor=actor,
            data=data,
        )
        record(
            tenant=service.tenant_id,
            subject="service",
            pk=service.pk,
            verb="ci_linked",
            actor=actor,
            data=data,
        )
        worklinks.cmdb_changed([ci.pk])  # impacted services of items near it
    return link


def unlink_service(*, actor: User, link: ServiceCI) -> None:
    require_agent(actor, link.tenant_id)
    with transaction.atomic():
        CI.objects.select_for_update().filter(pk=link.ci_id).first()
        Service.objects.select_for_update().filter(pk=link.service_id).first()
        link = ServiceCI.objects.select_related("service").get(pk=link.pk)
        data = {"service": link.service_id, "ci": link.ci_id}
        record(
            tenant=link.tenant_id,
            subject="ci",
            pk=link.ci_id,
            verb="service_unlinked",
            actor=actor,
            data=data,
        )
        record(
            tenant=link.service.tenant_id,
            subject="service",
            pk=link.service_id,
            verb="ci_unlinked",
            actor=actor,
            data=data,
        )
        link.delete()
        worklinks.cmdb_changed([link.ci_id])  # impacted services of items near it
