"""Actions on relationships: typed, directed edges with the rules of their type."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from serval.cmdb import worklinks
from serval.cmdb.actions.permissions import (
    record,
    require_agent,
)
from serval.cmdb.models import (
    CI,
    CIRelationship,
    RelationshipType,
)
from serval.core.errors import (
    NotFound,
    ValidationFailed,
)
from serval.people.models import User

# --- relationships ----------------------------------------------------------------------------


def journal_relationship(
    rel: CIRelationship, *, verb: str, actor: User, skip: int | None = None
) -> None:
    data = {
        "relationship": rel.pk,
        "parent": rel.parent_id,
        "type": rel.type.name,
        "child": rel.child_id,
    }
    record(
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
            record(tenant=rel.tenant_id, subject="ci", pk=pk, verb=ci_verb, actor=actor, data=data)


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
    require_agent(actor, parent.tenant_id)
    require_agent(actor, child.tenant_id)
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
        journal_relationship(rel, verb="created", actor=actor)
        if type.is_dependency:  # impacted services of items near it (serval.cmdb.worklinks)
            worklinks.cmdb_changed([parent.pk, child.pk])
    return rel


def delete_relationship(*, actor: User, relationship: CIRelationship) -> None:
    require_agent(actor, relationship.tenant_id)
    with transaction.atomic():
        ids = [relationship.parent_id, relationship.child_id]
        list(CI.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        rel = CIRelationship.objects.select_related("type").filter(pk=relationship.pk).first()
        if rel is None:
            raise NotFound(_("No such relationship."))
        journal_relationship(rel, verb="deleted", actor=actor)
        rel.delete()
        if rel.type.is_dependency:  # impacted services of items near it (serval.cmdb.worklinks)
            worklinks.cmdb_changed([rel.parent_id, rel.child_id])
