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
from serval.work.querysets import visible_q

if TYPE_CHECKING:
    from serval.people.models import User
    from serval.work.models import WorkItem


def change_visible_q(user: User, path: str = "") -> Q | None:
    """The rule below as a condition on the work item at `path` ("work_item"), or None when
    the person sees no change. Related rows filtered through it join the item, where
    `work_item__in=changes_visible_to(user)` had SQLite list every visible change first."""
    from serval.approvals.engine import delegators
    from serval.approvals.models import Approval
    from serval.work.models import Kind

    tenants = reach(user)
    if not tenants:
        return None
    at = f"{path}__" if path else ""
    rule = Q(**{f"{at}kind": Kind.CHANGE, f"{at}tenant_id__in": tenants})
    if user.is_agent:
        return rule
    asked = Approval.objects.filter(
        approver_id__in=[user.pk, *delegators(user)], tenant_id__in=tenants
    ).values("work_item_id")
    own = visible_q(user, path)
    asked_q = Q(**{f"{at}pk__in": asked})
    return rule & (asked_q | own) if own is not None else rule & asked_q


def changes_visible_to(user: User) -> QuerySet[WorkItem]:
    """Changes (kind "change") this person may see."""
    from serval.work.models import WorkItem

    rule = change_visible_q(user)
    return WorkItem.objects.none() if rule is None else WorkItem.objects.filter(rule)


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
