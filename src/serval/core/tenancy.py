"""Which tenants a user may work in, decided once per request and reused by every queryset."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import connection
from django.db.models import Q

from serval.core.models import Tenant
from serval.core.rawrows import column, table

if TYPE_CHECKING:
    from serval.people.models import User


@cache
def _grants_sql(vendor: str) -> str:
    """The user's grants with each granted tenant's path, and the home tenant's path as a
    grant without its subtree: written once per process.

    `reach` runs on every request; the ORM compiled this join each time (~0.7 ms of a queue
    request's CPU, benchmarks/README.md, issue 6), and `shared_reach` read the paths again in
    a query of its own. Only names from the models' metadata go in.
    """
    grant = apps.get_model("people", "TenantGrant")
    t_id, t_path = column(Tenant, "id"), column(Tenant, "path")
    return (
        f"SELECT g.{column(grant, 'tenant')}, g.{column(grant, 'include_descendants')},"  # noqa: S608
        f" t.{t_path} FROM {table(grant)} g"
        f" JOIN {table(Tenant)} t ON t.{t_id} = g.{column(grant, 'tenant')}"
        f" WHERE g.{column(grant, 'user')} = %s"
        f" UNION ALL SELECT t.{t_id}, %s, t.{t_path} FROM {table(Tenant)} t WHERE t.{t_id} = %s"
    )


def reach(user: User) -> frozenset[int]:
    """Tenant ids the user works in: the home tenant plus grants (with their subtrees if asked)."""
    cached = getattr(user, "_serval_reach", None)
    if cached is not None:
        return cached
    paths: list[str] = []
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        result: frozenset[int] = frozenset()
    else:
        ids = {user.tenant_id}
        subtree_paths: list[str] = []
        with connection.cursor() as cursor:
            cursor.execute(_grants_sql(connection.vendor), [user.pk, False, user.tenant_id])
            grants = cursor.fetchall()
        for tenant_id, include_descendants, path in grants:
            ids.add(tenant_id)
            paths.append(path)
            if include_descendants:
                subtree_paths.append(path)
        if subtree_paths:
            cond = Q()
            for p in subtree_paths:
                cond |= Q(path__startswith=p)
            ids.update(Tenant.objects.filter(cond).values_list("id", flat=True))
        result = frozenset(ids)
    user._serval_reach = result  # type: ignore[attr-defined]
    user._serval_reach_paths = paths  # type: ignore[attr-defined]
    return result


def shared_reach(user: User) -> frozenset[int]:
    """Tenants whose *shared* reference data the user sees: the reach plus all their ancestors.

    The ancestors come from the paths `reach` read: those of the home tenant and the granted
    ones. A tenant in a granted subtree adds none of its own — above the granted tenant its
    ancestors are the granted tenant's, below it they are in the subtree, so in the reach."""
    cached = getattr(user, "_serval_shared_reach", None)
    if cached is not None:
        return cached
    ids = set(reach(user))
    for path in getattr(user, "_serval_reach_paths", ()):
        ids.update(int(p) for p in path.strip("/").split("/") if p)
    result = frozenset(ids)
    user._serval_shared_reach = result  # type: ignore[attr-defined]
    return result


def reference_visible_in(*, owner_tenant: Tenant, shared: bool, target: Tenant) -> bool:
    """Can reference data of `owner_tenant` be linked from a record in `target`?

    Same tenant always; an ancestor's data only when it is marked shared down the tree.
    """
    if owner_tenant.pk == target.pk:
        return True
    return shared and owner_tenant.pk in target.ancestor_ids()
