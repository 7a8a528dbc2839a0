"""What approval rows a person may see: those of the items they may see (DESIGN.md rule 2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from serval.approvals.models import Approval

if TYPE_CHECKING:
    from serval.people.models import User


def approvals_visible_to(user: User) -> QuerySet[Approval]:
    """Approvals on changes the person may see (`changes_visible_to`): agents every one of
    their tenants', others those of the changes they asked for or are asked to approve."""
    from serval.changes.querysets import change_visible_q

    if not getattr(user, "is_authenticated", False):
        return Approval.objects.none()
    rule = change_visible_q(user, "work_item")  # a join, not an IN over every visible change
    return Approval.objects.none() if rule is None else Approval.objects.filter(rule)
