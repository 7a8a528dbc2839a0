"""Who may see which work items: the one place that decides it (DESIGN.md rule 2, rule 8)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from serval.core.errors import NotFound
from serval.core.tenancy import reach

if TYPE_CHECKING:
    from serval.people.models import User
    from serval.work.models import WorkItem


def visible_q(user: User, path: str = "") -> Q | None:
    """The visibility rule as a condition on the item at `path` ("target", "work_item"), or
    None when the user sees nothing.

    Filtering a related row through this (a join) instead of `related__in=visible_to(user)`
    matters on SQLite: it runs such an IN subquery by listing every visible item first, which
    cost milliseconds per page at 20,000 items and grows with the tenant.
    """
    tenants = reach(user)
    if not tenants:
        return None
    at = f"{path}__" if path else ""
    rule = Q(**{f"{at}tenant_id__in": tenants})
    if user.is_agent:
        return rule
    mine = Q(**{f"{at}caller": user}) | Q(**{f"{at}opened_by": user})
    if user.organization_id:
        mine |= Q(**{f"{at}organization_id": user.organization_id})
    return rule & mine


class WorkItemQuerySet(models.QuerySet["WorkItem"]):
    def visible_to(self, user: User) -> WorkItemQuerySet:
        """Agents see every item in their tenants; requesters their own and their organization's."""
        rule = visible_q(user)
        return self.none() if rule is None else self.filter(rule)

    def search(self, text: str) -> WorkItemQuerySet:
        from serval.core.search import search_work_items

        return search_work_items(self, text)


class AttachmentQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: User) -> AttachmentQuerySet:
        """Files on items the user sees; internal ones for agents only."""
        rule = visible_q(user, "work_item")
        if rule is None:
            return self.none()
        return self.filter(rule) if user.is_agent else self.filter(rule, internal=False)


def access_work_item(
    user: User, number: str, *, kind: str | None = None, for_update: bool = False, **related: Any
) -> WorkItem:
    """Fetch one item the user may see, else NotFound (never a 403 that confirms it exists)."""
    from serval.work.models import WorkItem

    qs = WorkItem.objects.visible_to(user)
    if kind:
        qs = qs.filter(kind=kind)
    if for_update:
        qs = qs.select_for_update()
    number = str(number)
    # A NUL would be a database error on PostgreSQL; no number contains one, so: not found.
    item = None if "\x00" in number else qs.filter(number=number.upper()).first()
    if item is None:
        raise NotFound(f"No work item {number}.")
    return item
