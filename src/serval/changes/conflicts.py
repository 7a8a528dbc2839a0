"""Conflict detection for changes (DOMAIN.md §2.3, ServiceNow's seven rules [35]).

A change not yet done (New up to Implement) with a planned window is compared against every
other such change — drafts included, so both sides see a clash as soon as it is planned — and
against the maintenance and blackout windows (`serval.changes.windows`):

1. one of its CIs is in another change whose planned window overlaps;
2. a parent or child (one relationship away) of one of its CIs is;
3./4. one of its CIs (or a parent/child) has maintenance windows that apply to it and the planned
   window is not inside one occurrence of any of them;
5./6. one of its CIs (or a parent/child) is in an applicable blackout occurrence that overlaps
   the planned window;
7. its assignee is assigned to another change whose window overlaps.

**Which windows apply.** Only active windows of the change's own tenant. A window applies to
*the change as a whole* when it is global, scoped to the change's assignment group (team scope)
or to a service the change names directly; such conflicts are stored once, without a CI. A
window applies to *a CI* when it is scoped to that CI, to its class or an ancestor class, or to
a service the CI realizes (`cmdb.ServiceCI`, an offering counting for its parent service) — and,
for the change's own CIs, to a service the change impacts through that CI (the stored impact
walk, `cmdb.ImpactedService.via_ci`). Parents and children are checked against the windows
that apply to them specifically (rules 4 and 6); whole-change windows are rules 3 and 5.

A maintenance window binds until its last occurrence has ended (a one-off window until its
end): a CI with binding maintenance windows must be changed inside one occurrence of one of
them, or inside an occurrence of a whole-change maintenance window. When a window says
`exempt_emergency`, emergency changes are exempt from it (maintenance and blackout alike).

Everything is set-based: a bounded number of queries per change whatever its number of CIs,
windows or relationships; the expansion of recurring windows is in Python, bounded per window.

`refresh(item=…, detail=…)` recomputes and stores the change's conflicts (a diff against the
stored rows), sets `conflict_status`, and enqueues `refresh_changes` for the other changes whose
conflicts it may have altered (those it clashed with before or clashes with now), so both
sides stay current without locking other changes inside this transaction. Window edits enqueue
`refresh_changes` for the changes planned in the window's span (`serval.changes.windows`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from serval.changes import states as S
from serval.changes.models import (
    ChangeConflict,
    ChangeDetail,
    ChangeWindow,
    ConflictRule,
    ConflictStatus,
    WindowKind,
)
from serval.core.errors import PermissionDenied
from serval.core.tenancy import reach

if TYPE_CHECKING:
    from serval.people.models import User
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


def _neighbours(mine: set[int]) -> dict[int, set[int]]:
    """Related CI → the change's own CIs it is a parent or child of (one relationship away)."""
    from serval.cmdb.models import CIRelationship

    neighbours: dict[int, set[int]] = {}
    if not mine:
        return neighbours
    for parent, child in CIRelationship.objects.filter(
        Q(parent_id__in=mine) | Q(child_id__in=mine)
    ).values_list("parent_id", "child_id"):
        if parent in mine and child not in mine:
            neighbours.setdefault(child, set()).add(parent)
        if child in mine and parent not in mine:
            neighbours.setdefault(parent, set()).add(child)
    return neighbours


def detect(item: WorkItem, detail: ChangeDetail) -> list[Found]:
    """The change's conflicts as it stands (nothing written)."""
    from serval.cmdb.models import WorkItemCI

    start, end = detail.planned_start, detail.planned_end
    if item.state not in ON_SCHEDULE or start is None or end is None:
        return []
    found: list[Found] = []
    others = {
        d.work_item_id: d
        for d in _overlapping(item, start, end).only("planned_start", "planned_end")
    }
    mine = set(WorkItemCI.objects.filter(work_item_id=item.pk).values_list("ci_id", flat=True))
    neighbours = _neighbours(mine)

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
    # Rules 3 to 6: maintenance and blackout windows.
    found.extend(_window_conflicts(item, detail, start, end, mine, neighbours))
    return sorted(set(found), key=lambda f: f.key)


# --- windows: which apply, and rules 3 to 6 ---------------------------------------------------


@dataclass
class _Scopes:
    """The scope lists of a set of windows, and what the CIs in question are and realize."""

    cis: dict[int, set[int]] = field(default_factory=dict)  # window → CI ids
    classes: dict[int, set[int]] = field(default_factory=dict)  # window → class ids
    services: dict[int, set[int]] = field(default_factory=dict)  # window → service ids
    teams: dict[int, set[int]] = field(default_factory=dict)  # window → team ids
    ci_classes: dict[int, set[int]] = field(default_factory=dict)  # CI → class + ancestors
    ci_services: dict[int, set[int]] = field(default_factory=dict)  # CI → services it realizes
    direct_services: set[int] = field(default_factory=set)  # services the change names


def _candidate_windows(tenant_id: int, start: datetime, end: datetime) -> list[ChangeWindow]:
    """Active windows that could touch [start, end): blackouts that may overlap it, and
    maintenance windows still binding at its start (one-off: not ended; recurring: checked
    against the series end below)."""
    rows = ChangeWindow.objects.filter(tenant_id=tenant_id, active=True).filter(
        Q(kind=WindowKind.BLACKOUT, starts_at__lt=end) | Q(kind=WindowKind.MAINTENANCE)
    )
    rows = rows.exclude(rrule="", ends_at__lte=start)
    return list(rows.order_by("pk"))


def _load_scopes(
    item: WorkItem, windows: list[ChangeWindow], subjects: set[int], mine: set[int]
) -> _Scopes:
    from serval.cmdb.models import CI, CIClass, ImpactedService, ServiceCI

    scopes = _Scopes()
    ids = [w.pk for w in windows]
    through = ChangeWindow.cis.through
    for window, ci in through.objects.filter(changewindow_id__in=ids).values_list(
        "changewindow_id", "ci_id"
    ):
        scopes.cis.setdefault(window, set()).add(ci)
    for window, klass in ChangeWindow.ci_classes.through.objects.filter(
        changewindow_id__in=ids
    ).values_list("changewindow_id", "ciclass_id"):
        scopes.classes.setdefault(window, set()).add(klass)
    for window, service in ChangeWindow.services.through.objects.filter(
        changewindow_id__in=ids
    ).values_list("changewindow_id", "service_id"):
        scopes.services.setdefault(window, set()).add(service)
    if item.assignment_group_id:
        for window, team in ChangeWindow.teams.through.objects.filter(
            changewindow_id__in=ids
        ).values_list("changewindow_id", "team_id"):
            scopes.teams.setdefault(window, set()).add(team)
    if scopes.classes and subjects:
        parents = dict(CIClass.objects.values_list("pk", "parent_id"))
        for ci, klass in CI.objects.filter(pk__in=subjects).values_list("pk", "ci_class_id"):
            chain: set[int] = set()
            node: int | None = klass
            while node is not None and node not in chain:
                chain.add(node)
                node = parents.get(node)
            scopes.ci_classes[ci] = chain
    if scopes.services:
        for ci, service, parent in ServiceCI.objects.filter(ci_id__in=subjects).values_list(
            "ci_id", "service_id", "service__parent_id"
        ):
            realized = scopes.ci_services.setdefault(ci, set())
            realized.add(service)
            if parent is not None:
                realized.add(parent)
        for service, via in ImpactedService.objects.filter(work_item_id=item.pk).values_list(
            "service_id", "via_ci_id"
        ):
            if via is None:
                scopes.direct_services.add(service)
            elif via in mine:
                scopes.ci_services.setdefault(via, set()).add(service)
    return scopes


def _applies_to_change(window: ChangeWindow, item: WorkItem, scopes: _Scopes) -> bool:
    return (
        window.is_global
        or (item.assignment_group_id in scopes.teams.get(window.pk, set()))
        or bool(scopes.direct_services & scopes.services.get(window.pk, set()))
    )


def _applies_to_ci(window: ChangeWindow, ci: int, scopes: _Scopes) -> bool:
    return (
        ci in scopes.cis.get(window.pk, set())
        or bool(scopes.ci_classes.get(ci, set()) & scopes.classes.get(window.pk, set()))
        or bool(scopes.ci_services.get(ci, set()) & scopes.services.get(window.pk, set()))
    )


def _window_conflicts(
    item: WorkItem,
    detail: ChangeDetail,
    start: datetime,
    end: datetime,
    mine: set[int],
    neighbours: dict[int, set[int]],
) -> list[Found]:
    from serval.changes import windows as W
    from serval.changes.models import ChangeType

    emergency = detail.change_type == ChangeType.EMERGENCY
    candidates = [
        w
        for w in _candidate_windows(item.tenant_id, start, end)
        if not (emergency and w.exempt_emergency)
    ]
    if not candidates:
        return []
    scopes = _load_scopes(item, candidates, mine | set(neighbours), mine)
    found: list[Found] = []
    inside: dict[int, bool] = {}
    overlap: dict[int, tuple[datetime, datetime] | None] = {}
    maintenance, blackouts = [], []
    for window in candidates:
        if window.kind == WindowKind.BLACKOUT:
            first = W.occurrences(window, start, end, limit=1)
            if first:
                overlap[window.pk] = (max(start, first[0].starts_at), min(end, first[0].ends_at))
                blackouts.append(window)
        else:
            try:
                binding = W.series_end(window) > start
            except ValueError:
                binding = False
            if binding:
                occ = W.occurrences(window, start, end, limit=W.MAX_OCCURRENCES)
                inside[window.pk] = any(o.starts_at <= start and o.ends_at >= end for o in occ)
                maintenance.append(window)

    whole_m = [w for w in maintenance if _applies_to_change(w, item, scopes)]
    whole_inside = any(inside[w.pk] for w in whole_m)

    def specific(windows: list[ChangeWindow], ci: int) -> list[ChangeWindow]:
        return [w for w in windows if _applies_to_ci(w, ci, scopes)]

    # Rule 3: the change's CIs (or the change itself) outside their maintenance windows.
    if not whole_inside:
        lost_ci = False
        for ci in sorted(mine):
            own = specific(maintenance, ci)
            if any(inside[w.pk] for w in own):
                continue
            lost_ci = True
            for w in own:
                found.append(
                    Found(
                        ConflictRule.CI_OUTSIDE_MAINTENANCE,
                        ci=ci,
                        window=w.pk,
                        starts_at=start,
                        ends_at=end,
                    )
                )
        if whole_m and (lost_ci or not mine):
            for w in whole_m:
                found.append(
                    Found(
                        ConflictRule.CI_OUTSIDE_MAINTENANCE,
                        window=w.pk,
                        starts_at=start,
                        ends_at=end,
                    )
                )
        # Rule 4: a parent or child outside the maintenance windows that apply to it.
        for related in sorted(neighbours):
            own = specific(maintenance, related)
            if not own or any(inside[w.pk] for w in own):
                continue
            for ci in sorted(neighbours[related]):
                for w in own:
                    found.append(
                        Found(
                            ConflictRule.RELATED_OUTSIDE_MAINTENANCE,
                            ci=ci,
                            related_ci=related,
                            window=w.pk,
                            starts_at=start,
                            ends_at=end,
                        )
                    )
    # Rule 5: the change (as a whole, or one of its CIs) in a blackout occurrence.
    for w in blackouts:
        a, b = overlap[w.pk] or (start, end)
        if _applies_to_change(w, item, scopes):
            found.append(Found(ConflictRule.CI_BLACKOUT, window=w.pk, starts_at=a, ends_at=b))
        for ci in sorted(mine):
            if _applies_to_ci(w, ci, scopes):
                found.append(
                    Found(ConflictRule.CI_BLACKOUT, ci=ci, window=w.pk, starts_at=a, ends_at=b)
                )
        # Rule 6: a parent or child in a blackout that applies to it.
        for related in sorted(neighbours):
            if _applies_to_ci(w, related, scopes):
                for ci in sorted(neighbours[related]):
                    found.append(
                        Found(
                            ConflictRule.RELATED_BLACKOUT,
                            ci=ci,
                            related_ci=related,
                            window=w.pk,
                            starts_at=a,
                            ends_at=b,
                        )
                    )
    return found


def cis_in_maintenance(ci_ids: Iterable[int]) -> set[int]:
    """The CIs among these that a change in the Implement state names (DOMAIN.md §2.3: while a
    change is implemented its CIs are treated "in maintenance", and impact walks skip them)."""
    from serval.cmdb.models import WorkItemCI
    from serval.work.models import Kind

    ids = sorted({int(pk) for pk in ci_ids})
    if not ids:
        return set()
    return set(
        WorkItemCI.objects.filter(
            ci_id__in=ids, work_item__kind=Kind.CHANGE, work_item__state=S.IMPLEMENT
        )
        .values_list("ci_id", flat=True)
        .distinct()
    )


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
    that caused this refresh, already current. The risk is recalculated after each, since the
    rule "outside a maintenance window" reads the stored conflicts (`serval.changes.risk`).
    """
    from serval.changes import risk
    from serval.work.models import WorkItem

    changed = 0
    for pk in sorted(set(change_ids)):
        with transaction.atomic():
            item = WorkItem.objects.select_for_update().filter(pk=pk).first()
            detail = ChangeDetail.objects.select_for_update().filter(work_item_id=pk).first()
            if item is not None and detail is not None:
                changed += _store(item, detail)[0]
                risk.recalculate(item=item, detail=detail, actor=None)
    return changed


def check_conflicts(*, actor: User, item: WorkItem) -> ChangeDetail:
    """ "Check again": recompute the change's conflicts (and so its risk) now, for an agent."""
    from serval.changes import risk
    from serval.work import actions as work

    if not actor.is_agent or item.tenant_id not in reach(actor):
        raise PermissionDenied(_("Only agents can check a change's conflicts."))
    with transaction.atomic():
        item = work.lock(item)
        detail = ChangeDetail.objects.select_for_update().get(work_item_id=item.pk)
        changed = refresh(item=item, detail=detail)
        risk.recalculate(item=item, detail=detail, actor=actor)
        work.record(
            item,
            verb="conflicts_checked",
            actor=actor,
            data={
                "changed": changed,
                "count": ChangeConflict.objects.filter(change_id=item.pk).count(),
            },
            internal=True,
        )
    return detail
