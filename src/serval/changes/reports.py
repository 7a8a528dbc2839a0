"""Change outcome reports (DOMAIN.md §2.12): success rate, failure rate, emergency share.

One computation for the API, the report page and its CSV. The cohort is every change
*implemented* in the period — moved into Review, which is when its outcome (close code) is
recorded (`resolved_at`) — so every ratio of a row speaks about the same changes:

- **success rate** = closed changes Successful (+ Successful with issues, by policy) ÷ closed
  changes. Whether "with issues" counts is `ChangePolicy.success_includes_issues` (default
  yes: the change did what it was for; the issues are for its review). Changes still in Review
  are implemented but not yet closed, so they are not in this ratio yet.
- **failure rate** = implemented changes that were Unsuccessful *or* caused an incident (an
  incident linked to it with `caused_by`) ÷ implemented changes. A change can be a success
  (it did its job) and still a failure here (it broke something on the way).
- **emergency share** = emergency changes ÷ implemented changes.

Groups: impacted service (a change impacting three services counts in each of the three rows;
changes impacting none have their own row), team (assignment group), type and month of
implementation (in the reader's time zone). Totals are computed over the cohort itself, so
they never double-count what the service rows repeat.

Two aggregate queries per report whatever the number of changes or groups; the cohort filter
(state in Review/Closed + `resolved_at` range) runs on the `work_state_resolved` index, the
incident check on `work_link_target` and the service rows on `impactedsvc_service`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from serval.changes import states as S
from serval.changes.models import ChangeType, CloseCode
from serval.changes.risk import policy
from serval.work.models import Kind, LinkType, WorkItem, WorkItemLink

if TYPE_CHECKING:
    from serval.people.models import User

GROUPS = ("service", "team", "type", "month")
MAX_ROWS = 1000
MAX_SPAN_DAYS = 3660

# group → the values() keys that identify a row (id first, then the label where one exists)
_KEYS = {
    "service": ("impacted_services__service_id", "impacted_services__service__name"),
    "team": ("assignment_group_id", "assignment_group__name"),
    "type": ("change__change_type",),
    "month": ("month",),
}


@dataclass
class Row:
    key: str
    label: str
    implemented: int = 0
    closed: int = 0
    successful: int = 0
    successful_with_issues: int = 0
    unsuccessful: int = 0
    incident_causing: int = 0
    failed: int = 0
    emergency: int = 0
    success_includes_issues: bool = True

    @property
    def succeeded(self) -> int:
        return self.successful + (
            self.successful_with_issues if self.success_includes_issues else 0
        )

    @property
    def success_rate(self) -> float | None:
        return _percent(self.succeeded, self.closed)

    @property
    def failure_rate(self) -> float | None:
        return _percent(self.failed, self.implemented)

    @property
    def emergency_share(self) -> float | None:
        return _percent(self.emergency, self.implemented)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "implemented": self.implemented,
            "closed": self.closed,
            "successful": self.successful,
            "successful_with_issues": self.successful_with_issues,
            "unsuccessful": self.unsuccessful,
            "incident_causing": self.incident_causing,
            "failed": self.failed,
            "emergency": self.emergency,
            "success_rate": self.success_rate,
            "failure_rate": self.failure_rate,
            "emergency_share": self.emergency_share,
        }


@dataclass
class Report:
    group_by: str
    since: date | None
    until: date | None
    success_includes_issues: bool
    totals: Row
    rows: list[Row] = field(default_factory=list)
    truncated: bool = False


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def cohort(user: User, since: date | None, until: date | None) -> Any:
    """Changes the user can see that were implemented in [since, until] (local dates)."""
    qs = WorkItem.objects.visible_to(user).filter(
        kind=Kind.CHANGE, state__in=(S.REVIEW, S.CLOSED), resolved_at__isnull=False
    )
    if since is not None:
        qs = qs.filter(resolved_at__gte=_start(since))
    if until is not None:
        qs = qs.filter(resolved_at__lt=_start(until + timedelta(days=1)))
    return qs


def _measures() -> dict[str, Count]:
    caused = Exists(
        WorkItemLink.objects.filter(
            target_id=OuterRef("pk"), type=LinkType.CAUSED_BY, source__kind=Kind.INCIDENT
        )
    )
    closed = Q(state=S.CLOSED)

    def count(condition: Q | None = None) -> Count:
        return Count("pk", filter=condition, distinct=True)

    return {
        "implemented": count(),
        "closed": count(closed),
        "successful": count(closed & Q(close_code=CloseCode.SUCCESSFUL)),
        "successful_with_issues": count(closed & Q(close_code=CloseCode.SUCCESSFUL_WITH_ISSUES)),
        "unsuccessful": count(closed & Q(close_code=CloseCode.UNSUCCESSFUL)),
        "incident_causing": count(Q(caused)),
        "failed": count(Q(caused) | Q(close_code=CloseCode.UNSUCCESSFUL)),
        "emergency": count(Q(change__change_type=ChangeType.EMERGENCY)),
    }


_COUNTS = (
    "implemented",
    "closed",
    "successful",
    "successful_with_issues",
    "unsuccessful",
    "incident_causing",
    "failed",
    "emergency",
)


def _label(group: str, values: dict[str, Any]) -> tuple[str, str]:
    if group == "month":
        month = values["month"]
        if isinstance(month, datetime) and timezone.is_aware(month):
            month = timezone.localtime(month)
        text = month.strftime("%Y-%m") if month else ""
        return text, text
    if group == "type":
        kind = values["change__change_type"] or ""
        return kind, str(ChangeType(kind).label) if kind in ChangeType.values else kind
    pk, name = values[_KEYS[group][0]], values[_KEYS[group][1]]
    if pk is None:
        return "", _("No impacted service") if group == "service" else _("No team")
    return str(pk), name


def outcomes(
    user: User, *, since: date | None = None, until: date | None = None, group_by: str = "month"
) -> Report:
    """The report for what this user can see (agents: their tenants' changes)."""
    if group_by not in GROUPS:
        raise ValueError(group_by)
    includes = policy().success_includes_issues
    base = cohort(user, since, until)
    measures = _measures()
    totals = Row("", _("All changes"), success_includes_issues=includes)
    for name, value in base.aggregate(**measures).items():
        setattr(totals, name, value or 0)
    grouped = base
    if group_by == "month":
        grouped = grouped.annotate(month=TruncMonth("resolved_at"))
    keys = _KEYS[group_by]
    values = grouped.values(*keys).annotate(**measures).order_by(*keys)
    fetched = list(values[: MAX_ROWS + 1])
    rows = []
    for entry in fetched[:MAX_ROWS]:
        key, label = _label(group_by, entry)
        row = Row(key, label, success_includes_issues=includes)
        for name in _COUNTS:
            setattr(row, name, entry[name])
        rows.append(row)
    if group_by == "month":
        rows.sort(key=lambda r: r.key)
    else:
        rows.sort(key=lambda r: (-r.implemented, r.key == "", r.label.casefold()))
    return Report(group_by, since, until, includes, totals, rows, len(fetched) > MAX_ROWS)


# --- the chart -------------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM, CHART_LEFT = 720, 260, 16, 56, 44
CHART_GROUPS = 12


def chart(report: Report) -> dict[str, Any]:
    """Bars of success and failure rate per group, as SVG geometry for the template (no chart
    library, no inline styles): months in order, other groups the busiest first."""
    rows = report.rows[-CHART_GROUPS:] if report.group_by == "month" else report.rows[:CHART_GROUPS]
    plot_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = (CHART_WIDTH - CHART_LEFT) / max(1, len(rows))
    bar = min(28.0, slot / 3)
    bars, labels = [], []
    for index, row in enumerate(rows):
        x0 = CHART_LEFT + index * slot + (slot - 2 * bar - 4) / 2
        for offset, (kind, value, part, whole) in enumerate(
            (
                ("success", row.success_rate, row.succeeded, row.closed),
                ("failure", row.failure_rate, row.failed, row.implemented),
            )
        ):
            if value is None:
                continue
            height = plot_h * value / 100
            bars.append(
                {
                    "x": round(x0 + offset * (bar + 4), 1),
                    "y": round(CHART_TOP + plot_h - height, 1),
                    "width": round(bar, 1),
                    "height": round(max(height, 1), 1),
                    "kind": kind,
                    "percent": value,
                    "label": row.label,
                    "part": part,
                    "whole": whole,
                }
            )
        text = row.label if len(row.label) <= 14 else row.label[:13] + "…"
        labels.append({"x": round(CHART_LEFT + index * slot + slot / 2, 1), "text": text})
    grid = [
        {"y": round(CHART_TOP + plot_h - plot_h * p / 100, 1), "label": f"{p} %"}
        for p in (0, 25, 50, 75, 100)
    ]
    return {
        "bars": bars,
        "labels": labels,
        "grid": grid,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "label_y": CHART_HEIGHT - CHART_BOTTOM + 18,
    }


CSV_HEADER = [
    "group",
    "key",
    "label",
    "implemented",
    "closed",
    "successful",
    "successful_with_issues",
    "unsuccessful",
    "incident_causing",
    "failed",
    "emergency",
    "success_rate",
    "failure_rate",
    "emergency_share",
]


def csv_rows(report: Report) -> list[list[Any]]:
    out = []
    for row in [*report.rows, report.totals]:
        data = row.as_dict()
        group = report.group_by if row is not report.totals else "total"
        out.append([group, *("" if data[h] is None else data[h] for h in CSV_HEADER[1:])])
    return out
