"""The end-of-life horizon report, and the upcoming dates reminders are sent for."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Schema
from pydantic import Field

from serval.api.auth import actor
from serval.api.paging import DEFAULT_LIMIT, parse_csv
from serval.api.schemas import problems
from serval.assets import eol, reminders
from serval.assets import schemas as s
from serval.assets.api._router import router
from serval.assets.api.common import (
    product_ref,
    ref,
    version_out,
)
from serval.assets.models import ReminderKind
from serval.core.tenancy import reach


@router.get("/eol", response={200: s.EolOut, **problems()})
def eol_report(request: HttpRequest, params: Query[s.EolParams]) -> dict[str, Any]:
    """Installations reaching end of support or end of life within `within` days (and those
    already past), grouped by product version, with the services they put at risk through the
    CMDB's dependency edges. Counts per horizon (90 / 180 / 365, cumulative) and past."""
    result = eol.report(actor(request), within=params.within, depth=params.depth)
    counts = result.counts
    return {
        "today": result.today,
        "within": result.within,
        "counts": {
            "past": counts["past"],
            "within_90": counts["90"],
            "within_180": counts["180"],
            "within_365": counts["365"],
        },
        "groups": [
            {
                "product": product_ref(g.version.product),
                "version": version_out(g.version),
                "phase": g.phase,
                "days_to_end_of_support": g.days_to_end_of_support,
                "days_to_end_of_life": g.days_to_end_of_life,
                "installations": [{"id": i.pk, "ci": ref(i.ci)} for i in g.installations],
                "services_at_risk": [
                    {"id": x.pk, "name": x.name, "kind": x.kind, "criticality": x.criticality}
                    for x in g.services
                ],
            }
            for g in result.groups
        ],
    }


class ReminderRecord(Schema):
    type: str = Field(..., description="asset, contract or software_version")
    id: int
    title: str


class UpcomingDate(Schema):
    kind: str
    kind_label: str
    record: ReminderRecord
    due_date: date
    days_left: int
    horizon: int | None = Field(
        ..., description="Days before at which it is reminded now; null: not yet."
    )
    reminder_sent_at: datetime | None


class UpcomingPage(Schema):
    items: list[UpcomingDate]
    next: str | None


class UpcomingParams(Schema):
    within: int = Field(90, ge=0, le=reminders.MAX_WITHIN, description="Days ahead (default 90).")
    kind: str | None = Field(None, max_length=200, description="One kind or a comma list.")
    limit: s.Limit = DEFAULT_LIMIT
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get("/reminders", response={200: UpcomingPage, **problems()})
def upcoming_dates(request: HttpRequest, params: Query[UpcomingParams]) -> dict[str, Any]:
    """Warranty and lease ends, contract notice and end dates, and end of support or life of
    installed versions within `within` days, soonest first, with the reminder sent for each
    (owners and support teams are mailed at the `SERVAL_REMINDER_DAYS` horizons)."""
    user = actor(request)
    kinds = parse_csv(params.kind, ReminderKind.values, field="kind")
    tenants = reach(user) if user.is_agent else set()  # asset records are agents' data
    items = reminders.due(tenant_ids=tenants, within=params.within, kinds=kinds or None)
    chunk = items[params.offset : params.offset + params.limit]
    reminders.attach_sent(chunk)
    nxt = None
    if params.offset + params.limit < len(items):
        query = request.GET.copy()
        query["offset"] = str(params.offset + params.limit)
        nxt = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {
        "items": [
            {
                "kind": d.kind,
                "kind_label": d.kind_label,
                "record": {"type": d.subject_type, "id": d.subject_id, "title": d.title},
                "due_date": d.due_date,
                "days_left": d.days_left,
                "horizon": d.horizon,
                "reminder_sent_at": d.reminder.created_at if d.reminder else None,
            }
            for d in chunk
        ],
        "next": nxt,
    }
