"""Who sees which CMDB records — decided here only (DESIGN.md rule 2).

CI classes are reference data: built-in classes (no tenant) for everyone, plus those of the
user's tenants and those shared down from ancestors. CIs, relationships and service links are
operational data of agents: the tenants an agent works in. Requesters see no CIs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from serval.core.errors import NotFound
from serval.core.tenancy import reach, shared_reach

if TYPE_CHECKING:
    from serval.cmdb.models import CI, CIClass, CIRelationship
    from serval.people.models import User


def classes_visible_to(user: User) -> QuerySet[CIClass]:
    from serval.cmdb.models import CIClass

    if not getattr(user, "is_authenticated", False) or not reach(user):
        return CIClass.objects.none()
    own = reach(user)
    inherited = shared_reach(user) - own
    return CIClass.objects.filter(
        Q(tenant__isnull=True) | Q(tenant_id__in=own) | Q(tenant_id__in=inherited, shared=True)
    )


def ci_visible_q(user: User, path: str = "") -> Q | None:
    """The CI visibility rule as a condition on the CI at `path` ("child"), or None when the
    user sees none: filtering related rows through it is a join on the CI's tenant, where
    `child__in=cis_visible_to(user)` had SQLite list every CI in reach first."""
    if not getattr(user, "is_authenticated", False) or not user.is_agent:
        return None
    at = f"{path}__" if path else ""
    return Q(**{f"{at}tenant_id__in": reach(user)})


def cis_visible_to(user: User) -> QuerySet[CI]:
    from serval.cmdb.models import CI

    rule = ci_visible_q(user)
    return CI.objects.none() if rule is None else CI.objects.filter(rule)


def relationships_visible_to(user: User) -> QuerySet[CIRelationship]:
    from serval.cmdb.models import CIRelationship

    if not getattr(user, "is_authenticated", False) or not user.is_agent:
        return CIRelationship.objects.none()
    return CIRelationship.objects.filter(tenant_id__in=reach(user))


def access_ci(user: User, pk: int) -> CI:
    """The CI if the user may see it; otherwise NotFound, never a 403 that confirms it exists."""
    ci = cis_visible_to(user).filter(pk=pk).select_related("ci_class").first()
    if ci is None:
        raise NotFound("No such configuration item.")
    return ci


def access_class(user: User, pk: int) -> CIClass:
    ci_class = classes_visible_to(user).filter(pk=pk).first()
    if ci_class is None:
        raise NotFound("No such CI class.")
    return ci_class


def class_with_descendants(user: User, ci_class: CIClass) -> list[int]:
    """Ids of a class and every class below it that the user sees (the tree is small)."""
    rows = list(classes_visible_to(user).values_list("id", "parent_id"))
    children: dict[int | None, list[int]] = {}
    for pk, parent in rows:
        children.setdefault(parent, []).append(pk)
    found, todo = [ci_class.pk], [ci_class.pk]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.append(child)
                todo.append(child)
    return found
