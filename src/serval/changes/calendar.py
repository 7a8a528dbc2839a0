"""The change schedule as data (DOMAIN.md §2.3 "Schedule"): what the calendar page, the API's
`/changes/calendar` and the iCalendar feeds show for a span and a filter.

Reads only, each through `visible_to`: changes the person may see whose planned window meets the
span, the rules of their stored conflicts, and the occurrences of the windows of the tenants
they work in. A constant number of queries whatever the number of changes or windows; recurring
windows are expanded in Python (`serval.changes.windows.expand`, bounded per window).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from serval.changes import states as S
from serval.changes import windows as W
from serval.changes.models import (
    ChangeConflict,
    ChangeDetail,
    ChangeType,
    ChangeWindow,
    Risk,
    WindowKind,
)
from serval.core.errors import ValidationFailed
from serval.work.models import Kind
from serval.work.querysets import visible_q

if TYPE_CHECKING:
    from serval.people.models import User

MAX_WINDOWS = 200  # windows drawn per span
MAX_CHANGES = 500  # changes drawn on one calendar page (the API pages instead)
STATES = (*S.OPEN_STATES, S.CLOSED, S.CANCELLED)
DEFAULT_STATES = tuple(s for s in STATES if s != S.CANCELLED)


@dataclass
class Filters:
    service: int | None = None
    team: int | None = None
    risk: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    state: list[str] = field(default_factory=list)

    def query(self) -> dict[str, str]:
        """As query-string parameters (for links, feeds and the API)."""
        out: dict[str, str] = {}
        if self.service:
            out["service"] = str(self.service)
        if self.team:
            out["team"] = str(self.team)
        for name in ("risk", "type", "state"):
            if getattr(self, name):
                out[name] = ",".join(getattr(self, name))
        return out


def _csv(value: Any, allowed: tuple[str, ...] | list[str], name: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        items = [v.strip() for v in str(value).split(",") if v.strip()]
    wrong = [v for v in items if v not in allowed]
    if wrong or len(items) > 20:
        raise ValidationFailed({name: _("Unknown value: %s.") % ", ".join(wrong[:5])[:100]})
    return list(dict.fromkeys(items))


def _id(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 2**63 - 1:
        raise ValidationFailed({name: _("An id.")})
    return int(text)


def clean_filters(raw: Mapping[str, Any]) -> Filters:
    """Filters from query parameters; unknown values are field errors (422), never a 500."""
    errors: dict[str, str] = {}
    out = Filters()
    for name, clean in (
        ("service", lambda v: _id(v, "service")),
        ("team", lambda v: _id(v, "team")),
        ("risk", lambda v: _csv(v, Risk.values, "risk")),
        ("type", lambda v: _csv(v, ChangeType.values, "type")),
        ("state", lambda v: _csv(v, STATES, "state")),
    ):
        try:
            setattr(out, name, clean(raw.get(name)))
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    return out


def changes_in_span(
    user: User, start: datetime, end: datetime, filters: Filters, *, default_states: bool = True
) -> QuerySet[ChangeDetail]:
    """The person's visible changes whose planned window meets [start, end), filtered."""
    # Visibility as a join on the change: `work_item__in=visible_to(user)` had SQLite list
    # every visible item of the tenant first.
    rule = visible_q(user, "work_item")
    if rule is None:
        return ChangeDetail.objects.none()
    qs = ChangeDetail.objects.filter(
        rule, work_item__kind=Kind.CHANGE, planned_start__lt=end, planned_end__gt=start
    )
    states = filters.state or (list(DEFAULT_STATES) if default_states else [])
    if states:
        qs = qs.filter(work_item__state__in=states)
    if filters.risk:
        qs = qs.filter(risk__in=filters.risk)
    if filters.type:
        qs = qs.filter(change_type__in=filters.type)
    if filters.team:
        qs = qs.filter(work_item__assignment_group_id=filters.team)
    if filters.service:
        from serval.cmdb.models import ImpactedService

        qs = qs.filter(
            work_item_id__in=ImpactedService.objects.filter(service_id=filters.service).values(
                "work_item_id"
            )
        )
    return qs.select_related(
        "work_item", "work_item__assignment_group", "work_item__assignee"
    ).order_by("planned_start", "work_item_id")


def conflicts_of(change_ids: list[int]) -> dict[int, list[ChangeConflict]]:
    """The stored conflicts of these changes (one query)."""
    out: dict[int, list[ChangeConflict]] = {pk: [] for pk in change_ids}
    if change_ids:
        from serval.changes.explain import RELATED

        rows = ChangeConflict.objects.filter(change_id__in=change_ids).select_related(*RELATED)
        for c in rows.order_by("rule", "pk"):
            out[c.change_id].append(c)
    return out


def windows_for(user: User, filters: Filters | None = None) -> QuerySet[ChangeWindow]:
    """Active windows the person sees; with a service or team filter, those that could apply
    to it (global ones, or scoped to that service or team)."""
    qs = W.windows_visible_to(user).filter(active=True)
    if filters is not None and filters.service:
        qs = qs.filter(Q(is_global=True) | Q(services__id=filters.service))
    if filters is not None and filters.team:
        qs = qs.filter(Q(is_global=True) | Q(teams__id=filters.team))
    return qs.distinct().order_by("kind", "starts_at", "pk")


@dataclass(frozen=True)
class Placed:
    window: ChangeWindow
    starts_at: datetime
    ends_at: datetime

    @property
    def blackout(self) -> bool:
        return self.window.kind == WindowKind.BLACKOUT


def window_occurrences(
    user: User, start: datetime, end: datetime, filters: Filters | None = None
) -> list[Placed]:
    """Each occurrence of the visible windows meeting [start, end), in time order."""
    rows = list(
        windows_for(user, filters)
        .filter(starts_at__lt=end)
        .exclude(rrule="", ends_at__lte=start)[:MAX_WINDOWS]
    )
    placed = [Placed(w, o.starts_at, o.ends_at) for w in rows for o in W.occurrences(w, start, end)]
    return sorted(placed, key=lambda p: (p.starts_at, p.window.kind, p.window.pk))
