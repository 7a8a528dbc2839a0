"""Conflict detection for changes (DOMAIN.md §2.3, ServiceNow's seven rules [35]).

A change not yet done (New up to Implement) with a planned window is compared against every
other such change — drafts included, so both sides see a clash as soon as it is planned — and
against the maintenance and blackout windows:

1. one of its CIs is in another change whose planned window overlaps;
2. a parent or child (one relationship away) of one of its CIs is;
3./4. one of its CIs (or a parent/child) is outside its maintenance window;
5./6. one of its CIs (or a parent/child) is in a blackout window;
7. its assignee is assigned to another change whose window overlaps.

`refresh(item=…, detail=…)` recomputes and stores the change's conflicts (a diff against the
stored rows), sets `conflict_status`, and enqueues `refresh_changes` for the other changes whose
conflicts it may have altered (those it clashed with before or clashes with now), so both
sides stay current without locking other changes inside this transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from serval.changes import states as S
from serval.changes.models import ChangeConflict, ChangeDetail, ConflictRule, ConflictStatus

if TYPE_CHECKING:
    from serval.work.models import WorkItem

# The states whose planned windows count: every change not yet implemented or done.
ON_SCHEDULE = (S.NEW, S.ASSESS, S.AUTHORIZE, S.SCHEDULED, S.IMPLEMENT)


@dataclass(frozen=True)
class Found:
    rule: str
    ci: int | None = None
    related_ci: int | None = None
    other_change: int | None = None
    window: int | None = None
    user: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @property
    def key(self) -> str:
        parts = (self.rule, self.ci, self.related_ci, self.other_change, self.window, self.user)
        return ":".join("" if p is None else str(p) for p in parts)


def _overlapping(item: WorkItem, start: datetime, end: datetime) -> Any:
    """Other changes of the tenant on the schedule whose planned window overlaps [start, end)."""
    return ChangeDetail.objects.filter(
        work_item__tenant_id=item.tenant_id,
        work_item__state__in=ON_SCHEDULE,
        planned_start__lt=end,
        planned_end__gt=start,
    ).exclude(work_item_id=item.pk)


def detect(item: WorkItem, detail: ChangeDetail) -> list[Found]:
    """The change's conflicts as it stands (nothing written)."""
    from serval.cmdb.models import CIRelationship, WorkItemCI

    start, end = detail.planned_start, detail.planned_end
    if item.state not in ON_SCHEDULE or start is None or end is None:
        return []
    found: list[Found] = []
    others = {
        d.work_item_id: d
        for d in _overlapping(item, start, end).only("planned_start", "planned_end")
    }
    mine = set(WorkItemCI.objects.filter(work_item_id=item.pk).values_list("ci_id", flat=True))

    def span(other: int) -> tuple[datetime, datetime]:
        d = others[other]
        assert d.planned_start and d.planned_end
        return max(start, d.planned_start), min(end, d.planned_end)

    if others and mine:
        # Rule 1: the same CI.
        for ci, other in WorkItemCI.objects.filter(
            work_item_id__in=list(others), ci_id__in=mine
        ).values_list("ci_id", "work_item_id"):
            a, b = span(other)
            found.append(
                Found(ConflictRule.CI_SCHEDULED, ci=ci, other_change=other, starts_at=a, ends_at=b)
            )
        # Rule 2: a parent or child of one of my CIs (one relationship away, either side).
        neighbours: dict[int, set[int]] = {}
        for parent, child in CIRelationship.objects.filter(
            Q(parent_id__in=mine) | Q(child_id__in=mine)
        ).values_list("parent_id", "child_id"):
            if parent in mine and child not in mine:
                neighbours.setdefault(child, set()).add(parent)
            if child in mine and parent not in mine:
                neighbours.setdefault(parent, set()).add(child)
        if neighbours:
            for related, other in WorkItemCI.objects.filter(
                work_item_id__in=list(others), ci_id__in=list(neighbours)
            ).values_list("ci_id", "work_item_id"):
                a, b = span(other)
                for ci in sorted(neighbours[related]):
                    found.append(
                        Found(
                            ConflictRule.RELATED_SCHEDULED,
                            ci=ci,
                            related_ci=related,
                            other_change=other,
                            starts_at=a,
                            ends_at=b,
                        )
                    )
    # Rule 7: the assignee is already scheduled elsewhere.
    if item.assignee_id and others:
        for other in ChangeDetail.objects.filter(
            work_item_id__in=list(others), work_item__assignee_id=item.assignee_id
        ).values_list("work_item_id", flat=True):
            a, b = span(other)
            found.append(
                Found(
                    ConflictRule.ASSIGNEE_BUSY,
                    user=item.assignee_id,
                    other_change=other,
                    starts_at=a,
                    ends_at=b,
                )
            )
    return sorted(set(found), key=lambda f: f.key)


def _store(item: WorkItem, detail: ChangeDetail) -> tuple[bool, set[int]]:
    """Rewrite the stored conflicts as a diff; (changed?, the other changes on either side)."""
    wanted = {f.key: f for f in detect(item, detail)}
    stored = {c.key: c for c in ChangeConflict.objects.filter(change_id=item.pk)}
    gone = [c.pk for k, c in stored.items() if k not in wanted]
    if gone:
        ChangeConflict.objects.filter(pk__in=gone).delete()
    new = [
        ChangeConflict(
            tenant_id=item.tenant_id,
            change_id=item.pk,
            rule=f.rule,
            ci_id=f.ci,
            related_ci_id=f.related_ci,
            other_change_id=f.other_change,
            window_id=f.window,
            user_id=f.user,
            starts_at=f.starts_at,
            ends_at=f.ends_at,
        )
        for k, f in wanted.items()
        if k not in stored
    ]
    if new:
        ChangeConflict.objects.bulk_create(new)
    has_window = detail.planned_start is not None and detail.planned_end is not None
    status = (
        ConflictStatus.UNCHECKED
        if not has_window
        else ConflictStatus.CONFLICTS
        if wanted
        else ConflictStatus.CLEAR
    )
    detail.conflict_status, detail.conflicts_checked_at = status, timezone.now()
    detail.save(update_fields=["conflict_status", "conflicts_checked_at"])
    others = {c.other_change_id for c in stored.values() if c.other_change_id} | {
        f.other_change for f in wanted.values() if f.other_change
    }
    others.discard(item.pk)
    return bool(gone or new), others


def refresh(*, item: WorkItem, detail: ChangeDetail) -> bool:
    """Store the change's conflicts; True when the set changed. Enqueues the other side."""
    changed, others = _store(item, detail)
    # Changes that list this one as their other side must hear it moved, even when it no
    # longer clashes with them (then it is in neither set above).
    others |= set(
        ChangeConflict.objects.filter(other_change_id=item.pk).values_list("change_id", flat=True)
    )
    others.discard(item.pk)
    if others:
        refresh_changes.enqueue(sorted(others))
    return changed


@task()
def refresh_changes(change_ids: list[int]) -> int:
    """Recompute the conflicts of these changes, each under its row lock; idempotent.

    It does not enqueue itself again: the other side of each of these changes is the change
    that caused this refresh, already current.
    """
    from serval.work.models import WorkItem

    changed = 0
    for pk in sorted(set(change_ids)):
        with transaction.atomic():
            item = WorkItem.objects.select_for_update().filter(pk=pk).first()
            detail = ChangeDetail.objects.select_for_update().filter(work_item_id=pk).first()
            if item is not None and detail is not None:
                changed += _store(item, detail)[0]
    return changed
