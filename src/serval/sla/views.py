"""Service-level pages: the SLA card of a work item, the admin pages and the compliance report.

Thin adapters (DESIGN.md rule 1): reads go through the visibility helpers of
`serval.sla.actions`, writes through its actions. Admin pages are for role admin only and the
report for agents and above; everyone else gets a 404, never a 403 (SECURITY-REFERENCE A1).
Requesters only ever see clocks of customer SLAs — OLA and UC clocks are internal (DOMAIN §2.5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from serval.core import rawrows
from serval.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from serval.core.exports import csv_response
from serval.core.rawrows import RowReader, column, select_list, table
from serval.core.tenancy import reach
from serval.people.models import User
from serval.people.querysets import teams_visible_to
from serval.sla import actions, calendars, conditions, engine
from serval.sla.forms import (
    CalendarForm,
    ComplianceFilterForm,
    DefinitionForm,
    add_action_errors,
    business_day_seconds,
)
from serval.sla.models import (
    AgreementType,
    BusinessCalendar,
    SlaClock,
    SlaDefinition,
    Stage,
    Target,
)
from serval.sla.reports import compliance_rows
from serval.work.models import PRIORITIES

STATUS_COLOURS = {
    "ok": "green",
    "warning": "yellow",
    "breached": "red",
    "paused": "secondary",
    "met": "green",
    "cancelled": "secondary",
}
STATUS_LABELS = {
    "ok": gettext_lazy("On track"),
    "warning": gettext_lazy("At risk"),
    "breached": gettext_lazy("Breached"),
    "paused": gettext_lazy("Paused"),
    "met": gettext_lazy("Met"),
    "cancelled": gettext_lazy("Cancelled"),
}
STATUS_ICONS = {
    "ok": "ti-clock",
    "warning": "ti-alert-triangle",
    "breached": "ti-alarm",
    "paused": "ti-player-pause",
    "met": "ti-circle-check",
    "cancelled": "ti-circle-x",
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- the SLA card on a work item page ----------------------------------------------------------


@dataclass
class ClockView:
    """One clock with its live figures, shaped for the template."""

    clock: SlaClock
    status: str
    figures: dict[str, Any]

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.status]

    @property
    def icon(self) -> str:
        return STATUS_ICONS[self.status]

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def live(self) -> bool:
        """Running clocks count down in the browser; the others show a fixed sentence."""
        return self.clock.stage == Stage.IN_PROGRESS

    @property
    def percent(self) -> float:
        return max(0.0, min(100.0, float(self.figures["business_elapsed_percent"])))

    @property
    def percent_step(self) -> int:
        """The width class of the progress bar (5 % steps; CSP forbids inline widths)."""
        return int(round(self.percent / 5) * 5)

    @property
    def overdue_seconds(self) -> int:
        end = self.clock.stop_at or timezone.now()
        return max(0, int((end - self.clock.breach_at).total_seconds()))

    @property
    def moved(self) -> bool:
        return self.clock.breach_at != self.clock.original_breach_at


@dataclass
class ClockGroup:
    definition: SlaDefinition
    latest: ClockView
    older: list[ClockView] = field(default_factory=list)


@cache
def _clocks_sql(
    vendor: str, *, agent: bool
) -> tuple[str, RowReader[SlaClock], RowReader[SlaDefinition], RowReader[BusinessCalendar]]:
    """An item's clocks with their definitions and calendars, in the card's order: one
    statement written once per process (per database and audience), and its row readers.

    The queryset it replaces (two joins and a prefetch of the closed dates) cost ~1 ms of
    compiling on every view of an incident page, more than running it (issue 6); the closed
    dates now come with the calendar's cached description (`engine.clock_spec`). `vendor`
    keys the cache (quoting differs); only names from the models' metadata go into the text.
    """
    c, d, k = (column(SlaClock, n) for n in ("work_item", "definition", "cycle"))
    target, name, kind, calendar = (
        column(SlaDefinition, n) for n in ("target", "name", "type", "calendar")
    )
    pk, cal_pk = column(SlaDefinition, "id"), column(BusinessCalendar, "id")
    sql = (
        f"SELECT {select_list(SlaClock, 'c')}, {select_list(SlaDefinition, 'd')}, "  # noqa: S608
        f"{select_list(BusinessCalendar, 'b')} FROM {table(SlaClock)} c "
        f"JOIN {table(SlaDefinition)} d ON d.{pk} = c.{d} "
        f"LEFT JOIN {table(BusinessCalendar)} b ON b.{cal_pk} = d.{calendar} "
        f"WHERE c.{c} = %s{'' if agent else f' AND d.{kind} = %s'} "
        f"ORDER BY d.{target}, d.{name}, d.{pk}, c.{k} DESC"
    )
    return sql, RowReader(SlaClock), RowReader(SlaDefinition), RowReader(BusinessCalendar)


def _clocks(item_pk: int, *, agent: bool) -> list[SlaClock]:
    """The item's clocks, each with its definition and calendar attached (`select_related`'s
    result); requesters get customer SLAs only (DOMAIN.md §2.5)."""
    sql, clocks, definitions, calendars_ = _clocks_sql(connection.vendor, agent=agent)
    params: list[Any] = [item_pk] if agent else [item_pk, AgreementType.SLA]
    out = []
    start = clocks.width + definitions.width
    for row in rawrows.rows(sql, params):
        clock = clocks(row)
        definition = definitions(row, clocks.width)
        definition.calendar = calendars_(row, start) if row[start] is not None else None
        clock.definition = definition
        out.append(clock)
    return out


def clock_groups(item: Any, viewer: User, now: datetime | None = None) -> list[ClockGroup]:
    """The item's clocks per definition, latest cycle first; one query whatever the count
    (and the reference version's read for the calendars, serval.core.refcache)."""
    now = now or timezone.now()
    specs: dict[Any, calendars.CalendarSpec] = {}
    groups: dict[int, ClockGroup] = {}
    for clock in _clocks(item.pk, agent=viewer.is_agent):
        key = (clock.definition.calendar_id, clock.time_zone)
        spec = specs.get(key)
        if spec is None:
            spec = specs[key] = engine.clock_spec(clock)
        view = ClockView(clock, clock.status(now), engine.figures(clock, now, spec))
        group = groups.get(clock.definition_id)
        if group is None:
            groups[clock.definition_id] = ClockGroup(clock.definition, view)
        else:
            group.older.append(view)
    # Response before resolution, then by name (the database sorts the targets alphabetically).
    return sorted(
        groups.values(),
        key=lambda g: (g.definition.target != Target.RESPONSE, g.definition.name),
    )


# --- guards ----------------------------------------------------------------------------------


def _admin(request: HttpRequest) -> User:
    user = _user(request)
    if not user.is_admin:
        raise Http404()
    return user


def _agent(request: HttpRequest) -> User:
    user = _user(request)
    if not user.is_agent:
        raise Http404()
    return user


def _own_calendar(user: User, pk: int) -> BusinessCalendar:
    """A calendar the admin may edit: one of their own tenants' (shared-down ones are 404)."""
    calendar = (
        actions.calendars_visible_to(user)
        .filter(tenant_id__in=reach(user), pk=pk)
        .prefetch_related("closed_dates")
        .first()
    )
    if calendar is None:
        raise Http404()
    return calendar  # type: ignore[no-any-return]


def _own_definition(user: User, pk: int) -> SlaDefinition:
    definition = (
        actions.definitions_visible_to(user)
        .filter(tenant_id__in=reach(user), pk=pk)
        .select_related("calendar", "tenant")
        .first()
    )
    if definition is None:
        raise Http404()
    return definition  # type: ignore[no-any-return]


def _usable_calendars(user: User) -> Any:
    return actions.calendars_visible_to(user).order_by("name", "pk")


# --- previews --------------------------------------------------------------------------------


def _probe(priority: int) -> SimpleNamespace:
    """A new incident of a priority, as the conditions engine reads an item."""
    values: dict[str, Any] = {name: None for name, _kind in conditions.FIELDS.values()}
    values.update(kind="incident", state="new", priority=priority, impact=None, urgency=None)
    return SimpleNamespace(**values)


def preview_for_priority(user: User, priority: int, now: datetime) -> list[dict[str, Any]]:
    """Which active definitions an item opened now with this priority gets, and when each is
    due — computed by `actions.preview_due`, the function behind the API's preview."""
    probe = _probe(priority)
    out = []
    definitions = (
        actions.definitions_visible_to(user)
        .filter(active=True)
        .select_related("calendar")
        .order_by("target", "name")
    )
    for definition in definitions:
        cond = definition.conditions or {}
        if not conditions.matches(probe, cond.get("start"), empty=True):
            continue
        if conditions.matches(probe, cond.get("stop")) or conditions.matches(
            probe, cond.get("cancel")
        ):
            continue
        due = actions.preview_due(definition=definition, opened_at=now, caller=user)
        out.append({"definition": definition, "due": due})
    return out


@login_required
@require_GET
def definition_preview(request: HttpRequest) -> HttpResponse:
    """The "would be due at" line for the values in the definition form (htmx, unsaved)."""
    user = _admin(request)
    form = DefinitionForm(request.GET, calendars_qs=_usable_calendars(user))
    due = None
    now = timezone.now()
    form.is_valid()  # the name and conditions may still be missing: only timing matters here
    if not {"amount", "unit", "calendar", "time_zone_source"} & set(form.errors):
        probe = SlaDefinition(
            duration_seconds=form.duration_seconds(),
            calendar=form.selected_calendar(),
            time_zone_source=form.cleaned_data["time_zone_source"],
        )
        due = actions.preview_due(definition=probe, opened_at=now, caller=user)
    return render(request, "sla/_definition_preview.html", {"due": due, "now": now})


# --- calendars -------------------------------------------------------------------------------


@login_required
@require_GET
def calendar_list(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    own = set(reach(user))
    rows = (
        actions.calendars_visible_to(user)
        .select_related("tenant")
        .annotate(
            closed_count=Count("closed_dates", distinct=True),
            definition_count=Count("definitions", distinct=True),
        )
        .order_by("name", "pk")
    )
    items = [
        {
            "calendar": c,
            "editable": c.tenant_id in own,
            "hours": _week_summary(c.week),
        }
        for c in rows
    ]
    return render(request, "sla/calendar_list.html", {"items": items, "section": "calendars"})


def _week_summary(week: dict[str, list[list[str]]]) -> list[tuple[str, str]]:
    from serval.sla.forms import WEEKDAY_LABELS, day_to_text

    return [
        (str(WEEKDAY_LABELS[d])[:3], day_to_text(week.get(d, [])) or "—")
        for d in calendars.WEEKDAYS
    ]


@login_required
def calendar_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None) or change a calendar; errors re-render the form and write nothing."""
    user = _admin(request)
    calendar = _own_calendar(user, pk) if pk is not None else None
    form = CalendarForm(request.POST or None, calendar=calendar)
    if request.method == "POST" and form.is_valid():
        try:
            if calendar is None:
                calendar = actions.create_calendar(actor=user, **form.action_values())
                messages.success(
                    request, _("The calendar “%(name)s” was created.") % {"name": calendar.name}
                )
            else:
                actions.update_calendar(
                    actor=user,
                    calendar=calendar,
                    expected_version=form.cleaned_data.get("version"),
                    **form.action_values(),
                )
                messages.success(
                    request,
                    _("The calendar “%(name)s” was saved.") % {"name": form.cleaned_data["name"]},
                )
            return redirect("sla-calendars")
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except StaleVersion:
            form.add_error(
                None, _("Someone else saved this calendar meanwhile; reload it and try again.")
            )
    return render(
        request,
        "sla/calendar_form.html",
        {"form": form, "calendar": calendar, "section": "calendars"},
    )


# --- definitions -----------------------------------------------------------------------------


@login_required
@require_GET
def definition_list(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    own = set(reach(user))
    now = timezone.now()
    try:
        priority = int(request.GET.get("priority") or 2)
    except ValueError:
        priority = 2
    if priority not in dict(PRIORITIES):
        priority = 2
    rows = (
        actions.definitions_visible_to(user)
        .select_related("calendar", "tenant")
        .order_by("target", "name", "pk")
    )
    items = []
    for d in rows:
        items.append(
            {
                "definition": d,
                "editable": d.tenant_id in own,
                "duration": _duration_text(d),
                "due": actions.preview_due(definition=d, opened_at=now, caller=user),
            }
        )
    context = {
        "items": items,
        "section": "definitions",
        "priority": priority,
        "priorities": PRIORITIES,
        "preview": preview_for_priority(user, priority, now),
        "now": now,
    }
    return render(request, "sla/definition_list.html", context)


def _duration_text(definition: SlaDefinition) -> str:
    from serval.sla.forms import split_duration

    amount, unit = split_duration(
        definition.duration_seconds, business_day_seconds(definition.calendar)
    )
    if unit == "days":
        return _("%(n)s business days") % {"n": amount} if amount != 1 else _("1 business day")
    if unit == "hours":
        return _("%(n)s h") % {"n": amount}
    return _("%(n)s min") % {"n": amount}


@login_required
def definition_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None) or change a definition; errors re-render the form and write nothing."""
    user = _admin(request)
    definition = _own_definition(user, pk) if pk is not None else None
    form = DefinitionForm(
        request.POST or None,
        calendars_qs=_usable_calendars(user),
        definition=definition,
        teams_qs=teams_visible_to(user).only("pk", "name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if definition is None:
                definition = actions.create_definition(actor=user, **form.action_values())
                text = _("The definition “%(name)s” was created.")
            else:
                definition = actions.update_definition(
                    actor=user,
                    definition=definition,
                    expected_version=form.cleaned_data.get("version"),
                    **form.action_values(),
                )
                text = _("The definition “%(name)s” was saved.")
            messages.success(request, text % {"name": definition.name})
            return redirect("sla-definitions")
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except StaleVersion:
            form.add_error(
                None, _("Someone else saved this definition meanwhile; reload it and try again.")
            )
    now = timezone.now()
    due = (
        actions.preview_due(definition=definition, opened_at=now, caller=user)
        if definition is not None
        else None
    )
    return render(
        request,
        "sla/definition_form.html",
        {"form": form, "definition": definition, "due": due, "now": now, "section": "definitions"},
    )


# --- compliance report -----------------------------------------------------------------------


CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM, CHART_LEFT = 720, 260, 16, 40, 44


def chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Bars of compliance % per month, response and resolution side by side, as SVG geometry
    (the template draws rects; no chart library and no inline styles)."""
    totals: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        pair = totals.setdefault((row["month"], row["target"]), [0, 0])
        pair[0] += row["met"]
        pair[1] += row["breached"]
    months = sorted({m for m, _t in totals})[-12:]
    plot_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = (CHART_WIDTH - CHART_LEFT) / max(1, len(months))
    bar = min(28.0, slot / 3)
    bars, labels = [], []
    for index, month in enumerate(months):
        x0 = CHART_LEFT + index * slot + (slot - 2 * bar - 4) / 2
        for offset, target in enumerate((Target.RESPONSE, Target.RESOLUTION)):
            met, breached = totals.get((month, target), [0, 0])
            if not met + breached:
                continue
            percent = 100 * met / (met + breached)
            height = plot_h * percent / 100
            bars.append(
                {
                    "x": round(x0 + offset * (bar + 4), 1),
                    "y": round(CHART_TOP + plot_h - height, 1),
                    "width": round(bar, 1),
                    "height": round(max(height, 1), 1),
                    "target": str(target),
                    "percent": round(percent, 1),
                    "month": month,
                    "met": met,
                    "breached": breached,
                }
            )
        labels.append({"x": round(CHART_LEFT + index * slot + slot / 2, 1), "text": month})
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


def _summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for target in Target:
        met = sum(r["met"] for r in rows if r["target"] == target)
        breached = sum(r["breached"] for r in rows if r["target"] == target)
        total = met + breached
        out.append(
            {
                "target": target,
                "met": met,
                "breached": breached,
                "percent": round(100 * met / total, 1) if total else None,
            }
        )
    return out


CSV_HEADER = [
    "month",
    "target",
    "definition",
    "team",
    "service",
    "met",
    "breached",
    "compliance_percent",
]


@login_required
@require_GET
def compliance_report(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """SLA compliance per definition, team, service and month; `?format=csv`: the same rows."""
    user = _agent(request)
    form = ComplianceFilterForm(request.GET or None)
    params: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        params = {
            "since": form.cleaned_data.get("since"),
            "until": form.cleaned_data.get("until"),
            "target": form.cleaned_data.get("target") or "",
        }
    rows = compliance_rows(user, newest_first=True, **params)
    if request.GET.get("format") == "csv":
        return csv_response(
            filename="sla-compliance.csv",
            header=CSV_HEADER,
            rows=(
                [
                    r["month"],
                    r["target"],
                    r["definition"],
                    r["team"],
                    r["service"],
                    r["met"],
                    r["breached"],
                    "" if r["compliance_percent"] is None else r["compliance_percent"],
                ]
                for r in rows
            ),
        )
    query = request.GET.copy()
    query["format"] = "csv"
    context = {
        "form": form,
        "rows": rows,
        "chart": chart(rows),
        "summary": _summary(rows),
        "csv_query": query.urlencode(),
    }
    return render(request, "sla/report.html", context)
