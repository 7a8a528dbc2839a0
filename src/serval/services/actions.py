"""Actions on the service portfolio: every write to a service goes through one of these.

Managers and administrators of the owning tenant maintain the portfolio; each change is
journaled under subject "service" in the same transaction. Linked records (owner, support team,
customers, parent service) must be within reach of the service's tenant (DESIGN.md rule 8).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from serval.core import cleaning, journal
from serval.core.errors import (
    NotFound,
    PermissionDenied,
    ValidationFailed,
    check_version,
)
from serval.core.models import Tenant
from serval.core.tenancy import reach, reference_visible_in
from serval.core.text import optional_text, required_text
from serval.people.models import Organization, Role, Team, User
from serval.services.models import Criticality, Service, ServiceKind, ServiceStatus
from serval.sla.models import BusinessCalendar

FIELDS = (
    "name",
    "kind",
    "parent",
    "description",
    "status",
    "criticality",
    "owner",
    "support_team",
    "customers",
    "cost",
    "value",
    "service_hours",
    "shared",
)


def can_maintain(actor: User, tenant_id: int) -> bool:
    """Managers and administrators of the tenant keep its portfolio."""
    return actor.role in (Role.MANAGER, Role.ADMIN) and tenant_id in reach(actor)


def _require_maintainer(actor: User, tenant_id: int) -> None:
    if not can_maintain(actor, tenant_id):
        raise PermissionDenied(_("Only managers and administrators can change services."))


def _clean(raw: dict[str, Any], *, tenant: Tenant, service: Service | None) -> dict[str, Any]:
    """Validate each given field; all errors at once, keyed by field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        try:
            if name == "name":
                out[name] = required_text(value, field=name, limit=200)
            elif name == "description":
                out[name] = optional_text(value, field=name, limit=20000)
            elif name == "kind":
                out[name] = cleaning.choice(value, ServiceKind, name)
            elif name == "status":
                out[name] = cleaning.choice(value, ServiceStatus, name)
            elif name == "criticality":
                out[name] = cleaning.choice(value, Criticality, name)
            elif name in ("cost", "value"):
                out[name] = cleaning.money(value, name)
            elif name == "shared":
                if not isinstance(value, bool):
                    raise ValidationFailed({name: _("Must be true or false.")})
                out[name] = value
            elif name == "owner":
                if value is not None and (
                    not isinstance(value, User) or tenant.pk not in reach(value)
                ):
                    raise ValidationFailed({name: _("Unknown user.")})
                out[name] = value
            elif name == "support_team":
                if value is not None and not (
                    isinstance(value, Team)
                    and reference_visible_in(
                        owner_tenant=value.tenant, shared=value.shared, target=tenant
                    )
                ):
                    raise ValidationFailed({name: _("Unknown team.")})
                out[name] = value
            elif name == "customers":
                orgs = list(value or [])
                for org in orgs:
                    if not isinstance(org, Organization) or not reference_visible_in(
                        owner_tenant=org.tenant, shared=org.shared, target=tenant
                    ):
                        raise ValidationFailed({name: _("Unknown organization.")})
                out[name] = orgs
            elif name == "service_hours":
                if value is not None and not (
                    isinstance(value, BusinessCalendar)
                    and reference_visible_in(
                        owner_tenant=value.tenant, shared=value.shared, target=tenant
                    )
                ):
                    raise ValidationFailed({name: _("Unknown calendar.")})
                out[name] = value
            elif name == "parent":
                if value is not None and not (
                    isinstance(value, Service)
                    and reference_visible_in(
                        owner_tenant=value.tenant, shared=value.shared, target=tenant
                    )
                ):
                    raise ValidationFailed({name: _("Unknown service.")})
                out[name] = value
            else:
                raise ValidationFailed({name: _("Unknown field.")})
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    _check_hierarchy(out, service)
    return out


def _check_hierarchy(out: dict[str, Any], service: Service | None) -> None:
    """An offering belongs to exactly one (non-offering) service; services have no parent."""
    kind = out.get("kind", service.kind if service else ServiceKind.BUSINESS)
    parent = out["parent"] if "parent" in out else (service.parent if service else None)
    if kind == ServiceKind.OFFERING:
        if parent is None:
            raise ValidationFailed({"parent": _("An offering belongs to a service.")})
        if parent.kind == ServiceKind.OFFERING or (service and parent.pk == service.pk):
            raise ValidationFailed({"parent": _("Choose a business or technical service.")})
    elif parent is not None:
        raise ValidationFailed({"parent": _("Only offerings have a parent service.")})
    if service and kind == ServiceKind.OFFERING and service.offerings.exists():
        raise ValidationFailed({"kind": _("This service has offerings; it cannot be one.")})


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, User):
        return value.username
    if isinstance(value, Team | Organization | Service | BusinessCalendar):
        return value.name
    if isinstance(value, Decimal):
        return str(value)
    return value


def create_service(*, actor: User, tenant: Tenant | None = None, **raw: Any) -> Service:
    """Add a service or offering to the portfolio (managers and administrators)."""
    tenant = tenant or actor.tenant
    if tenant.pk not in reach(actor):
        raise NotFound(_("Unknown tenant."))
    _require_maintainer(actor, tenant.pk)
    raw.setdefault("name", "")
    values = _clean(raw, tenant=tenant, service=None)
    customers = values.pop("customers", [])
    with transaction.atomic():
        if Service.objects.filter(tenant=tenant, name=values["name"]).exists():
            raise ValidationFailed({"name": _("A service with this name exists.")})
        service = Service.objects.create(tenant=tenant, **values)
        service.customers.set(customers)
        journal.append(
            tenant=tenant,
            subject_type="service",
            subject_id=service.pk,
            verb="created",
            actor=actor,
            data={k: _jsonable(v) for k, v in {**values, "customers": customers}.items()},
        )
    return service


def update_service(
    *, actor: User, service: Service, expected_version: int | None = None, **raw: Any
) -> Service:
    """Change a service's fields; a stale `expected_version` is refused, never overwritten."""
    _require_maintainer(actor, service.tenant_id)
    with transaction.atomic():
        service = Service.objects.select_for_update().select_related("tenant").get(pk=service.pk)
        check_version(expected_version, service.version)
        values = _clean(raw, tenant=service.tenant, service=service)
        if "name" in values:
            taken = Service.objects.filter(tenant_id=service.tenant_id, name=values["name"])
            if taken.exclude(pk=service.pk).exists():
                raise ValidationFailed({"name": _("A service with this name exists.")})
        changes: dict[str, Any] = {}
        customers = values.pop("customers", None)
        for name, value in values.items():
            before = getattr(service, name)
            if before != value:
                changes[name] = [_jsonable(before), _jsonable(value)]
                setattr(service, name, value)
        if customers is not None:
            before_orgs = list(service.customers.all())
            if {o.pk for o in before_orgs} != {o.pk for o in customers}:
                changes["customers"] = [_jsonable(before_orgs), _jsonable(customers)]
                service.customers.set(customers)
        if changes:
            service.version += 1
            service.save()
            journal.append(
                tenant=service.tenant_id,
                subject_type="service",
                subject_id=service.pk,
                verb="updated",
                actor=actor,
                data={"changes": changes},
            )
    return service


def delete_service(*, actor: User, service: Service) -> None:
    """Remove a service that has no offerings; its journal stays (retire it to keep history)."""
    _require_maintainer(actor, service.tenant_id)
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        if service.offerings.exists():
            raise ValidationFailed({"service": _("Remove or move its offerings first.")})
        journal.append(
            tenant=service.tenant_id,
            subject_type="service",
            subject_id=service.pk,
            verb="deleted",
            actor=actor,
            data={"name": service.name},
        )
        service.delete()
