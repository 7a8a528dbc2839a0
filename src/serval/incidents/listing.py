"""Rows for the desk's incident lists (queues, team queues, My work), read as plain values.

An agent's queue is the page the desk polls most (issue 6, benchmarks/README.md). Building a
page of model instances with their joined caller, group and assignee, and asking the database
for four SLA subqueries per row, cost tens of milliseconds of Python per request; so a page is
read with `.values()` — only the columns the table shows — and completed with one query for the
page's running clocks and one for its impacted services. The query count does not grow with the
rows (tests/web/test_incident_list_query_count_is_flat.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from serval.cmdb import worklinks
from serval.people.models import User
from serval.sla.models import ACTIVE_STAGES, AgreementType, SlaClock, Stage
from serval.web.templatetags.serval_ui import priority_badge, short_datetime, state_badge
from serval.web.templatetags.sla_ui import queue_badge
from serval.work.models import WorkItem

_PERSON = ("username", "first_name", "last_name")
FIELDS = (
    "id",
    "number",
    "title",
    "state",
    "priority",
    "service",
    "opened_at",
    "assignment_group_id",
    "assignment_group__name",
    "assignee_id",
    *(f"assignee__{c}" for c in _PERSON),
    *(f"caller__{c}" for c in _PERSON),
)
_PLACEHOLDER = "INC-0"


def visible_clocks(user: User) -> QuerySet[SlaClock]:
    """Clocks this user may see on items they see: requesters only customer SLAs."""
    clocks = SlaClock.objects.all()
    if not user.is_agent:
        clocks = clocks.filter(definition__type=AgreementType.SLA)
    return clocks


def _person(row: dict[str, Any], prefix: str) -> str:
    username = row[f"{prefix}__username"]
    if username is None:
        return ""
    full = f"{row[f'{prefix}__first_name']} {row[f'{prefix}__last_name']}".strip()
    return full or username


def sla_status(user: User, ids: list[int], now: datetime) -> dict[int, dict[str, Any]]:
    """Per item, what the queue's SLA badge shows, from its active clocks (one query).

    The same rules as the `at_risk` filter: breached (flagged, or running past its deadline),
    warning (a running clock past 75 %), paused, and the next breach (the soonest deadline of a
    running clock).
    """
    status: dict[int, dict[str, Any]] = {}
    if not ids:
        return status
    clocks = (
        visible_clocks(user)
        .filter(work_item_id__any=ids, stage__in=ACTIVE_STAGES)
        .values_list("work_item_id", "stage", "breach_at", "has_breached", "warned_level")
    )
    for item_id, stage, breach_at, has_breached, warned in clocks:
        s = status.setdefault(
            item_id, {"breached": False, "warning": False, "paused": False, "next_breach": None}
        )
        running = stage == Stage.IN_PROGRESS
        if has_breached or (running and breach_at <= now):
            s["breached"] = True
        if running:
            s["warning"] = s["warning"] or warned >= 75
            if s["next_breach"] is None or breach_at < s["next_breach"]:
                s["next_breach"] = breach_at
        else:
            s["paused"] = True
    return status


def rows(
    qs: QuerySet[WorkItem],
    user: User,
    *,
    impact_link: str = "",
    sla: bool = True,
    impacts: bool = True,
) -> list[dict[str, Any]]:
    """The table rows of a (visibility-filtered, ordered, sliced) incident queryset.

    Everything a row shows is worked out here once — links, names, badges, dates — so the
    template only places strings. `impact_link` is the list URL (with its query string) that an
    impacted service's name links to, ending where the service id goes. `sla` and `impacts`
    leave out the queries for columns a table does not show.
    """
    found = list(qs.values(*FIELDS))
    if not found:
        return found
    ids = [r["id"] for r in found]
    impacted = worklinks.impacted_by_item(ids, user) if impacts else {}
    status = sla_status(user, ids, timezone.now()) if sla else {}
    url = reverse("incident-detail", args=[_PLACEHOLDER])
    head, tail = url.split(_PLACEHOLDER)
    link = impact_link or f"{reverse('incident-list')}?impacted_service="
    for r in found:
        r["url"] = f"{head}{r['number']}{tail}"
        r["caller"] = _person(r, "caller")
        r["assignee"] = _person(r, "assignee")
        r["group"] = r["assignment_group__name"] or ""
        r["priority_badge"] = priority_badge(r["priority"])
        r["state_badge"] = state_badge(r["state"])
        r["opened_iso"] = timezone.localtime(r["opened_at"]).isoformat()
        r["opened_short"] = short_datetime(r["opened_at"])
        r["impacted"] = [{**s, "url": f"{link}{s['id']}"} for s in impacted.get(r["id"], ())]
        if sla:
            r["sla_badge"] = queue_badge(status.get(r["id"]))
    return found
