"""Actions on the CMDB: every write to classes, CIs, relationships and service links.

Agents of a CI's tenant maintain CIs, relationships and service links; administrators maintain
classes (built-in classes only the operator: an administrator of a root tenant). Each action
checks, validates, writes and journals in one transaction — subjects "ci_class", "ci",
"ci_relationship" — and relationship and link changes are also journaled on both ends, so a
CI's own history shows them (DOMAIN.md §2.7, ISO 20000 8.2.6).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from serval.cmdb import attributes, worklinks
from serval.cmdb.models import (
    CI,
    IDENTIFIERS,
    LIFECYCLE_STATUSES,
    CIClass,
    CIRelationship,
    Environment,
    LifecycleStage,
    OperationalStatus,
    RelationshipType,
    ServiceCI,
)
from serval.core import journal
from serval.core.errors import (
    NotFound,
    PermissionDenied,
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


# --- permissions ------------------------------------------------------------------------------


def can_edit_cis(actor: User, tenant_id: int) -> bool:
    return actor.is_agent and tenant_id in reach(actor)


def _require_agent(actor: User, tenant_id: int) -> None:
    if not can_edit_cis(actor, tenant_id):
        raise PermissionDenied(_("Only agents of its tenant can change the CMDB."))


def ensure_can_edit(actor: User, tenant_id: int) -> None:
    """For adapters that batch actions (imports): refuse before reading any input."""
    _require_agent(actor, tenant_id)


def _is_root_admin(actor: User) -> bool:
    return actor.is_admin and actor.tenant.parent_id is None


def can_edit_class(actor: User, ci_class: CIClass | None, tenant_id: int | None) -> bool:
    if not actor.is_admin:
        return False
    if tenant_id is None:
        return _is_root_admin(actor)
    return tenant_id in reach(actor)


def _record(*, tenant: int, subject: str, pk: int, verb: str, actor: Any, data: Any) -> None:
    journal.append(
        tenant=tenant, subject_type=subject, subject_id=pk, verb=verb, actor=actor, data=data
    )


# --- classes ----------------------------------------------------------------------------------


def _class_usable_in(ci_class: CIClass, tenant: Tenant) -> bool:
    if ci_class.tenant_id is None:
        return True
    assert ci_class.tenant is not None
    return reference_visible_in(owner_tenant=ci_class.tenant, shared=ci_class.shared, target=tenant)


def _clean_class(
    raw: dict[str, Any], *, tenant: Tenant | None, current: CIClass | None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        try:
            if name == "name":
                text = required_text(value, field=name, limit=64)
                if not re.fullmatch(r"[a-z][a-z0-9_]*", text):
                    raise ValidationFailed({name: _("Lower-case letters, digits and _.")})
                out[name] = text
            elif name == "label":
                out[name] = required_text(value, field=name, limit=200)
            elif name == "description":
                out[name] = optional_text(value, field=name, limit=4000)
            elif name == "shared":
                if not isinstance(value, bool):
                    raise ValidationFailed({name: _("Must be true or false.")})
                out[name] = value
            elif name == "parent":
                if value is not None:
                    if not isinstance(value, CIClass) or (
                        value.tenant_id is not None
                        and (tenant is None or not _class_usable_in(value, tenant))
                    ):
                        raise ValidationFailed({name: _("Unknown class.")})
                    node: CIClass | None = value
                    while node is not None and current is not None:
                        if node.pk == current.pk:
                            raise ValidationFailed({name: _("A class cannot be its own ancestor.")})
                        node = node.parent
                out[name] = value
            elif name == "schema":
                out[name] = value
            else:
                raise ValidationFailed({name: _("Unknown field.")})
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    if "schema" in out or "parent" in out:
        parent = out["parent"] if "parent" in out else (current.parent if current else None)
        inherited = attributes.effective_schema(parent) if parent else []
        schema = out.get("schema", current.schema if current else [])
        out["schema"] = attributes.clean_schema(schema, inherited=inherited)
    return out


def create_class(*, actor: User, tenant: Tenant | None = None, **raw: Any) -> CIClass:
    """Add a CI class to the tree (administrators; a tenant-less class is the operator's)."""
    if not can_edit_class(actor, None, tenant.pk if tenant else None):
        raise PermissionDenied(_("Only administrators can change CI classes."))
    raw.setdefault("name", "")
    raw.setdefault("label", "")
    values = _clean_class(raw, tenant=tenant, current=None)
    with transaction.atomic():
        if CIClass.objects.filter(tenant=tenant, name=values["name"]).exists():
            raise ValidationFailed({"name": _("A class with this name exists.")})
        ci_class = CIClass.objects.create(tenant=tenant, **values)
        _record(
            tenant=tenant.pk if tenant else actor.tenant_id,
            subject="ci_class",
            pk=ci_class.pk,
            verb="created",
            actor=actor,
            data={
                "name": ci_class.name,
                "parent": ci_class.parent.name if ci_class.parent else None,
                "schema": ci_class.schema,
            },
        )
    return ci_class


def update_class(*, actor: User, ci_class: CIClass, **raw: Any) -> CIClass:
    """Rename, re-parent or change the schema of a class; existing CIs are checked on next write."""
    if not can_edit_class(actor, ci_class, ci_class.tenant_id):
        raise PermissionDenied(_("Only administrators can change CI classes."))
    with transaction.atomic():
        ci_class = CIClass.objects.select_for_update().get(pk=ci_class.pk)
        values = _clean_class(raw, tenant=ci_class.tenant, current=ci_class)
        if "name" in values:
            taken = CIClass.objects.filter(tenant=ci_class.tenant, name=values["name"])
            if taken.exclude(pk=ci_class.pk).exists():
                raise ValidationFailed({"name": _("A class with this name exists.")})
        changes: dict[str, Any] = {}
        for name, value in values.items():
            before = getattr(ci_class, name)
            if before != value:
                changes[name] = [
                    getattr(before, "name", before),
                    getattr(value, "name", value),
                ]
                setattr(ci_class, name, value)
        if changes:
            ci_class.version += 1
            ci_class.save()
            _record(
                tenant=ci_class.tenant_id or actor.tenant_id,
                subject="ci_class",
                pk=ci_class.pk,
                verb="updated",
                actor=actor,
                data={"changes": changes},
            )
    return ci_class


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
        if not isinstance(value, CIClass) or not _class_usable_in(value, tenant):
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
    _require_agent(actor, tenant.pk)
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
        _record(
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
    _require_agent(actor, ci.tenant_id)
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
            _record(
                tenant=ci.tenant_id,
                subject="ci",
                pk=ci.pk,
                verb="updated",
                actor=actor,
                data={"changes": changes},
            )
    return ci


def delete_ci(*, actor: User, ci: CI) -> None:
    """Remove a CI with its relationships and service links, journaling each removal."""
    _require_agent(actor, ci.tenant_id)
    with transaction.atomic():
        ci = CI.objects.select_for_update().get(pk=ci.pk)
        links = list(CIRelationship.objects.filter(parent=ci).select_related("type")) + list(
            CIRelationship.objects.filter(child=ci).select_related("type")
        )
        others = sorted({r.child_id if r.parent_id == ci.pk else r.parent_id for r in links})
        list(CI.objects.select_for_update().filter(pk__in=others).order_by("pk"))
        for rel in links:
            _journal_relationship(rel, verb="deleted", actor=actor, skip=ci.pk)
        for link in ServiceCI.objects.filter(ci=ci).select_related("service"):
            _record(
                tenant=link.service.tenant_id,
                subject="service",
                pk=link.service_id,
                verb="ci_unlinked",
                actor=actor,
                data={"ci": ci.pk, "name": ci.name},
            )
        _record(
            tenant=ci.tenant_id,
            subject="ci",
            pk=ci.pk,
            verb="deleted",
            actor=actor,
            data={"name": ci.name},
        )
        worklinks.ci_deleting(actor=actor, ci=ci, neighbours=others)  # items naming it
        ci.delete()


# --- relationships ----------------------------------------------------------------------------


def _journal_relationship(
    rel: CIRelationship, *, verb: str, actor: User, skip: int | None = None
) -> None:
    data = {
        "relationship": rel.pk,
        "parent": rel.parent_id,
        "type": rel.type.name,
        "child": rel.child_id,
    }
    _record(
        tenant=rel.tenant_id,
        subject="ci_relationship",
        pk=rel.pk,
        verb=verb,
        actor=actor,
        data=data,
    )
    ci_verb = "relationship_added" if verb == "created" else "relationship_removed"
    for pk in (rel.parent_id, rel.child_id):
        if pk != skip:
            _record(tenant=rel.tenant_id, subject="ci", pk=pk, verb=ci_verb, actor=actor, data=data)


def _contains_cycle(parent: CI, child: CI, rel_type: RelationshipType) -> bool:
    """Would child become its own ancestor along this one-parent type (e.g. contains)?"""
    node: int | None = parent.pk
    seen: set[int] = set()
    while node is not None and node not in seen:
        if node == child.pk:
            return True
        seen.add(node)
        node = (
            CIRelationship.objects.filter(child_id=node, type=rel_type)
            .values_list("parent_id", flat=True)
            .first()
        )
    return False


def create_relationship(
    *, actor: User, parent: CI, child: CI, type: RelationshipType
) -> CIRelationship:
    """Relate two CIs of one tenant with a typed, directed edge, applying the type's rules."""
    _require_agent(actor, parent.tenant_id)
    _require_agent(actor, child.tenant_id)
    if parent.pk == child.pk:
        raise ValidationFailed({"child": _("A CI cannot be related to itself.")})
    if parent.tenant_id != child.tenant_id:
        raise ValidationFailed({"child": _("Only CIs of the same tenant can be related.")})
    with transaction.atomic():
        list(CI.objects.select_for_update().filter(pk__in=[parent.pk, child.pk]).order_by("pk"))
        if CIRelationship.objects.filter(parent=parent, child=child, type=type).exists():
            raise ValidationFailed({"type": _("These CIs are already related this way.")})
        if type.single_parent:
            if CIRelationship.objects.filter(child=child, type=type).exists():
                raise ValidationFailed(
                    {
                        "child": _("%(ci)s already has a parent of type %(type)s.")
                        % {"ci": child.name, "type": type.label}
                    }
                )
            if _contains_cycle(parent, child, type):
                raise ValidationFailed({"child": _("This would make a cycle of %s.") % type.label})
        try:
            with transaction.atomic():
                rel = CIRelationship.objects.create(
                    tenant_id=parent.tenant_id,
                    parent=parent,
                    child=child,
                    type=type,
                    single_parent=type.single_parent,
                    created_by=actor,
                )
        except IntegrityError as exc:
            raise ValidationFailed(
                {"child": _("This relationship conflicts with another.")}
            ) from exc
        _journal_relationship(rel, verb="created", actor=actor)
        if type.is_dependency:  # impacted services of items near it (serval.cmdb.worklinks)
            worklinks.cmdb_changed([parent.pk, child.pk])
    return rel


def delete_relationship(*, actor: User, relationship: CIRelationship) -> None:
    _require_agent(actor, relationship.tenant_id)
    with transaction.atomic():
        ids = [relationship.parent_id, relationship.child_id]
        list(CI.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        rel = CIRelationship.objects.select_related("type").filter(pk=relationship.pk).first()
        if rel is None:
            raise NotFound(_("No such relationship."))
        _journal_relationship(rel, verb="deleted", actor=actor)
        rel.delete()
        if rel.type.is_dependency:  # impacted services of items near it (serval.cmdb.worklinks)
            worklinks.cmdb_changed([rel.parent_id, rel.child_id])


# --- service links ----------------------------------------------------------------------------


def link_service(*, actor: User, service: Service, ci: CI) -> ServiceCI:
    """Say that a service (or offering) is realized by — depends on — a CI."""
    _require_agent(actor, ci.tenant_id)
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
        _record(
            tenant=ci.tenant_id,
            subject="ci",
            pk=ci.pk,
            verb="service_linked",
            actor=actor,
            data=data,
        )
        _record(
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
    _require_agent(actor, link.tenant_id)
    with transaction.atomic():
        CI.objects.select_for_update().filter(pk=link.ci_id).first()
        Service.objects.select_for_update().filter(pk=link.service_id).first()
        link = ServiceCI.objects.select_related("service").get(pk=link.pk)
        data = {"service": link.service_id, "ci": link.ci_id}
        _record(
            tenant=link.tenant_id,
            subject="ci",
            pk=link.ci_id,
            verb="service_unlinked",
            actor=actor,
            data=data,
        )
        _record(
            tenant=link.service.tenant_id,
            subject="service",
            pk=link.service_id,
            verb="ci_unlinked",
            actor=actor,
            data=data,
        )
        link.delete()
        worklinks.cmdb_changed([link.ci_id])  # impacted services of items near it
