"""Who may see which changes: the one rule every change page, list and endpoint uses.

A change is agents' work, so agents of its tenant see it (as every work item). People who are
not agents see the changes `WorkItem.visible_to` already gives them (those they asked for) and,
read-only, every change they are asked to approve — as an approver or as the delegate of one,
in any round, decided or not — so a business owner with the requester role can read what they
approve (DOMAIN.md §2.3 change authority, §2.4 approvals).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from serval.core.errors import NotFound
from serval.core.tenancy import reach

if TYPE_CHECKING:
    from serval.people.models import User
    from serval.work.models import WorkItem


def changes_visible_to(user: User) -> QuerySet[WorkItem]:
    """Changes (kind "change") this person may see."""
    from serval.approvals.engine import delegators
    from serval.approvals.models import Approval
    from serval.work.models import Kind, WorkItem

    tenants = reach(user)
    if not tenants:
        return WorkItem.objects.none()
    changes = WorkItem.objects.filter(kind=Kind.CHANGE)
    if user.is_agent:
        return changes.filter(tenant_id__in=tenants)
    asked = Approval.objects.filter(
        approver_id__in=[user.pk, *delegators(user)], tenant_id__in=tenants
    ).values("work_item_id")
    own = WorkItem.objects.visible_to(user).filter(kind=Kind.CHANGE).values("pk")
    return changes.filter(tenant_id__in=tenants).filter(Q(pk__in=asked) | Q(pk__in=own))


def access_change(user: User, number: str, *, for_update: bool = False) -> WorkItem:
    """One change this person may see, else NotFound (never a 403 that confirms it exists)."""
    qs = changes_visible_to(user)
    if for_update:
        qs = qs.select_for_update()
    number = str(number)
    item = (
        None if "\x00" in number or len(number) > 32 else qs.filter(number=number.upper()).first()
    )
    if item is None:
        raise NotFound(f"No change {number[:32]}.")
    return item
