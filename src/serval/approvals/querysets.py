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
    from serval.changes.querysets import changes_visible_to

    if not getattr(user, "is_authenticated", False):
        return Approval.objects.none()
    return Approval.objects.filter(work_item_id__in=changes_visible_to(user).values("pk"))
