"""Actions on configuration items: create, update (re-validated against the class) and delete."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from serval.cmdb import attributes, worklinks
from serval.cmdb.actions.classes import class_usable_in
from serval.cmdb.actions.permissions import (
    record,
    require_agent,
)
from serval.cmdb.actions.relationships import journal_relationship
from serval.cmdb.models import (
    CI,
    IDENTIFIERS,
    LIFECYCLE_STATUSES,
    CIClass,
    CIRelationship,
    Environment,
    LifecycleStage,
    OperationalStatus,
    ServiceCI,
)
from serval.core.errors import (
    NotFound,
    ValidationFailed,
    check_version,
)
from serval.core.models import Tenant
from serval.core.tenancy import reach, reference_visible_in
from serval.core.text import optional_text, required_text
from serval.people.models import Team, User
from serval.services.models import Criticality, Service

CI_FIELDS = (
    "name",
    "ci_class",
    *IDENTIFIERS,
    "lifecycle_stage",
    "lifecycle_status",
    "operational_status",
    "environment",
    "owner",
    "support_team",
    "location",
    "criticality",
    "product_version",
    "vendor",
    "attributes",
    "discovery_source",
    "last_seen",
)
IDENTIFIER_LABELS = {
    "serial": "serial number",
    "hostname": "host name",
    "fqdn": "FQDN",
    "cloud_id": "cloud id",
}
_HOST = re.compile(r"[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?")
_TEXT_LIMITS = {
    "location": 200,
    "product_version": 100,
    "vendor": 200,
    "discovery_source": 100,
    "serial": 100,
    "cloud_id": 255,
    "hostname": 253,
    "fqdn": 253,
}


# --- CIs --------------------------------------------------------------------------------------


def _choice(value: Any, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ValidationFailed({field: _("One of %s.") % ", ".join(choices.values)})
    return str(value)


def _clean_ci_field(name: str, value: Any, tenant: Tenant) -> Any:
    if name == "name":
        return required_text(value, field=name, limit=200)
    if name in _TEXT_LIMITS:
        text = optional_text(value, field=name, limit=_TEXT_LIMITS[name])
        if name in ("hostname", "fqdn") and text:
            text = text.lower().rstrip(".")
            if not _HOST.fullmatch(text):
                raise ValidationFailed({name: _("Letters, digits, '-', '_' and '.' only.")})
        return text
    if name == "ci_class":
        if not isinstance(value, CIClass) or not class_usable_in(value, tenant):
            raise ValidationFailed({name: _("Unknown class.")})
        return value
    if name == "lifecycle_stage":
        return _choice(value, LifecycleStage, name)
    if name == "lifecycle_status":
        return required_text(value, field=name, limit=32)
    if name == "operational_status":
        return _choice(value, OperationalStatus, name)
    if name == "environment":
        return _choice(value, Environment, name)
    if name == "criticality":
        return _choice(value, Criticality, name)
    if name == "owner":
        if value is not None and (not isinstance(value, User) or tenant.pk not in reach(value)):
            raise ValidationFailed({name: _("Unknown user.")})
        return value
    if name == "support_team":
        if value is not None and not (
            isinstance(value, Team)
            and reference_visible_in(owner_tenant=value.tenant, shared=value.shared, target=tenant)
        ):
            raise ValidationFailed({name: _("Unknown team.")})
        return value
    if name == "last_seen":
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            raise ValidationFailed({name: _("A date and time with a time zone.")})
        return value
    if name == "attributes":
        return value
    raise ValidationFailed({name: _("Unknown field.")})


def _clean_ci(raw: dict[str, Any], *, tenant: Tenant, ci: CI | None) -> dict[str, Any]:
    """Field-by-field validation, then the rules across fields: lifecycle and attributes."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        try:
            out[name] = _clean_ci_field(name, value, tenant)
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    stage = out.get("lifecycle_stage", ci.lifecycle_stage if ci else LifecycleStage.OPERATIONAL)
    if "lifecycle_status" in out or "lifecycle_stage" in out:
        if "lifecycle_status" not in out:
            out["lifecycle_status"] = LIFECYCLE_STATUSES.get(stage, ("",))[0]
        allowed = LIFECYCLE_STATUSES.get(stage, ())
        if out["lifecycle_status"] not in allowed and "lifecycle_stage" not in errors:
            errors["lifecycle_status"] = _("In stage %(stage)s: one of %(allowed)s.") % {
                "stage": stage,
                "allowed": ", ".join(allowed),
            }
    ci_class = out.get("ci_class", ci.ci_class if ci else None)
    if ci_class is not None and "ci_class" not in errors:
        current = out.get("attributes", ci.attributes if ci else {})
        try:
            out["attributes"] = attributes.clean_attributes(
                current, attributes.effective_schema(ci_class)
            )
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    return out


def _duplicates(values: dict[str, Any], *, tenant_id: int, exclude: int | None) -> dict[str, str]:
    """De-duplication on identifiers: one CI per serial, host name, FQDN or cloud id per tenant."""
    errors: dict[str, str] = {}
    for field in IDENTIFIERS:
        value = values.get(field)
        if not value:
            continue
        other = CI.objects.filter(tenant_id=tenant_id, **{field: value})
        if exclude is not None:
            other = other.exclude(pk=exclude)
        found = other.values_list("pk", "name").first()
        if found:
            errors[field] = _("%(name)s (CI %(id)s) already has this %(label)s.") % {
                "name": found[1],
                "id": found[0],
                "label": _(IDENTIFIER_LABELS[field]),
            }
    return errors


def _save_unique(ci: CI, values: dict[str, Any]) -> None:
    """Save in a savepoint; a concurrent duplicate caught by the constraints is a field error."""
    try:
        with transaction.atomic():
            ci.save()
    except IntegrityError as exc:
        errors = _duplicates(values, tenant_id=ci.tenant_id, exclude=ci.pk)
        raise ValidationFailed(errors or {"name": _("This CI conflicts with another.")}) from exc


def _jsonable(value: Any) -> Any:
    if isinstance(value, User):
        return value.username
    if isinstance(value, Team | CIClass | Service):
        return value.name
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def create_ci(*, actor: User, tenant: Tenant | None = None, **raw: Any) -> CI:
    """Record a configuration item (agents); identifiers must not belong to another CI."""
    tenant = tenant or actor.tenant
    if tenant.pk not in reach(actor):
        raise NotFound(_("Unknown tenant."))
    require_agent(actor, tenant.pk)
    raw.setdefault("name", "")
    if "ci_class" not in raw:
        raise ValidationFailed({"ci_class": _("This field is required.")})
    values = _clean_ci(raw, tenant=tenant, ci=None)
    with transaction.atomic():
        errors = _duplicates(values, tenant_id=tenant.pk, exclude=None)
        if errors:
            raise ValidationFailed(errors)
        ci = CI(tenant=tenant, **values)
        _save_unique(ci, values)
        record(
            tenant=tenant.pk,
            subject="ci",
            pk=ci.pk,
            verb="created",
            actor=actor,
            data={k: _jsonable(v) for k, v in values.items()},
        )
    return ci


def update_ci(*, actor: User, ci: CI, expected_version: int | None = None, **raw: Any) -> CI:
    """Change a CI; attributes are re-validated against its (possibly new) class."""
    require_agent(actor, ci.tenant_id)
    with transaction.atomic():
        ci = CI.objects.select_for_update().select_related("tenant", "ci_class").get(pk=ci.pk)
        check_version(expected_version, ci.version)
        values = _clean_ci(raw, tenant=ci.tenant, ci=ci)
        errors = _duplicates(values, tenant_id=ci.tenant_id, exclude=ci.pk)
        if errors:
            raise ValidationFailed(errors)
        changes: dict[str, Any] = {}
        for name, value in values.items():
            before = getattr(ci, name)
            if before != value:
                changes[name] = [_jsonable(before), _jsonable(value)]
                setattr(ci, name, value)
        if changes:
            ci.version += 1
            _save_unique(ci, values)
            record(
                tenant=ci.tenant_id,
                subject="ci",
                pk=ci.pk,
                verb="updated",
                actor=actor,
                data={"changes": changes},
            )
            if "operational_status" in changes:  # maintenance and severity change impact
                worklinks.cmdb_changed([ci.pk])
    return ci


def delete_ci(*, actor: User, ci: CI) -> None:
    """Remove a CI with its relationships and service links, journaling each removal."""
    require_agent(actor, ci.tenant_id)
    with transaction.atomic():
        ci = CI.objects.select_for_update().get(pk=ci.pk)
        links = list(CIRelationship.objects.filter(parent=ci).select_related("type")) + list(
            CIRelationship.objects.filter(child=ci).select_related("type")
        )
        others = sorted({r.child_id if r.parent_id == ci.pk else r.parent_id for r in links})
        list(CI.objects.select_for_update().filter(pk__in=others).order_by("pk"))
        for rel in links:
            journal_relationship(rel, verb="deleted", actor=actor, skip=ci.pk)
        for link in ServiceCI.objects.filter(ci=ci).select_related("service"):
            record(
                tenant=link.service.tenant_id,
                subject="service",
                pk=link.service_id,
                verb="ci_unlinked",
                actor=actor,
                data={"ci": ci.pk, "name": ci.name},
            )
        record(
            tenant=ci.tenant_id,
            subject="ci",
            pk=ci.pk,
            verb="deleted",
            actor=actor,
            data={"name": ci.name},
        )
        worklinks.ci_deleting(actor=actor, ci=ci, neighbours=others)  # items naming it
        ci.delete()
