"""Actions on CI classes: the class tree and its attribute schemas (administrators)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from serval.cmdb import attributes
from serval.cmdb.actions.permissions import (
    can_edit_class,
    record,
)
from serval.cmdb.models import (
    CIClass,
)
from serval.core.errors import (
    PermissionDenied,
    ValidationFailed,
)
from serval.core.models import Tenant
from serval.core.tenancy import reference_visible_in
from serval.core.text import optional_text, required_text
from serval.people.models import User

# --- classes ----------------------------------------------------------------------------------


def class_usable_in(ci_class: CIClass, tenant: Tenant) -> bool:
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
                        and (tenant is None or not class_usable_in(value, tenant))
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
        record(
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
            record(
                tenant=ci_class.tenant_id or actor.tenant_id,
                subject="ci_class",
                pk=ci_class.pk,
                verb="updated",
                actor=actor,
                data={"changes": changes},
            )
    return ci_class
