"""SLA compliance, computed once for the API, the report page and its CSV.

DOMAIN.md §2.5 "Metrics": compliance % = met ÷ (met + breached), per definition, team, service
and month of the clock's start. Completed clocks count as met or breached; running clocks count
once they have breached; cancelled clocks never count.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from serval.core.tenancy import reach
from serval.sla.models import SlaClock, Stage

if TYPE_CHECKING:
    from serval.people.models import User

MAX_ROWS = 5000
GROUPS = (
    "month",
    "definition__target",
    "definition__name",
    "work_item__assignment_group__name",
    "work_item__service",
)


def compliance_rows(
    user: User,
    *,
    since: date | None = None,
    until: date | None = None,
    target: str = "",
    newest_first: bool = False,
) -> list[dict[str, Any]]:
    """Rows of {month, target, definition, team, service, met, breached, compliance_percent}."""
    qs = (
        SlaClock.objects.filter(tenant_id__in=reach(user))
        .filter(Q(stage=Stage.COMPLETED) | Q(has_breached=True))
        .exclude(stage=Stage.CANCELLED)
    )
    if since:
        qs = qs.filter(start_at__date__gte=since)
    if until:
        qs = qs.filter(start_at__date__lte=until)
    if target:
        qs = qs.filter(definition__target=target)
    order = [f"-{g}" if newest_first and g in GROUPS[:2] else g for g in GROUPS]
    rows = (
        qs.annotate(month=TruncMonth("start_at"))
        .values(*GROUPS)
        .annotate(
            met=Count("pk", filter=Q(has_breached=False)),
            breached=Count("pk", filter=Q(has_breached=True)),
        )
        .order_by(*order)
    )
    out = []
    for row in rows[:MAX_ROWS]:
        total = row["met"] + row["breached"]
        month = row["month"]
        out.append(
            {
                "month": month.strftime("%Y-%m") if month else "",
                "target": row["definition__target"],
                "definition": row["definition__name"],
                "team": row["work_item__assignment_group__name"],
                "service": row["work_item__service"] or None,
                "met": row["met"],
                "breached": row["breached"],
                "compliance_percent": round(100 * row["met"] / total, 1) if total else None,
            }
        )
    return out
