"""The change calendar page (month, week, list) and the iCalendar feeds (DOMAIN.md §2.3).

Server-rendered in the person's time zone: the windows drawn behind the changes (maintenance
and blackout told apart by pattern, icon and words, not colour alone), each change a bar with
its number, title, type, risk and state, conflicts marked and listed below. Prev / next /
today links, a date picker and keys (p, n, t; m, w, l) move around. A constant number of
queries whatever the number of changes (`serval.changes.calendar`).

The feeds (`changes.ics`, `windows.ics`) need no login: the URL carries the person's id and
key (`serval.changes.feeds`); anything else is a 404. The feed page shows the URLs for the
current filters, with copy buttons and "rotate".
"""

from __future__ import annotations

import calendar as pycal
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe

from serval.changes import calendar as cal
from serval.changes import explain, feeds
from serval.changes import states as S
from serval.changes.models import ChangeType, ConflictRule, Risk
from serval.core.errors import ValidationFailed
from serval.people.models import User

VIEWS = ("month", "week", "list")
LIST_PER_PAGE = 50
RISK_CLASS = {"low": "risk-low", "moderate": "risk-moderate", "high": "risk-high"}


def _agent(request: HttpRequest) -> User:
    user: Any = request.user
    if not user.is_agent:
        raise Http404()
    return user  # type: ignore[no-any-return]


def _anchor(value: str | None, today: date) -> date:
    if not value:
        return today
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return today
    return day if 1971 <= day.year <= 8999 else today


def _shift_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, pycal.monthrange(year, month + 1)[1]))


def _grid(view: str, anchor: date) -> tuple[date, date, date, date]:
    """(first day shown, last day shown, previous anchor, next anchor)."""
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return (
            first,
            first + timedelta(days=6),
            anchor - timedelta(days=7),
            anchor + (timedelta(days=7)),
        )
    month_first = anchor.replace(day=1)
    month_last = month_first.replace(day=pycal.monthrange(anchor.year, anchor.month)[1])
    previous, following = _shift_month(anchor, -1), _shift_month(anchor, 1)
    if view == "list":
        return month_first, month_last, previous, following
    first = month_first - timedelta(days=month_first.weekday())
    last = month_last + timedelta(days=6 - month_last.weekday())
    return first, last, previous, following


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.get_current_timezone())


@dataclass
class Segment:
    """One item's piece within one week row: column (1–7), span (days), and what it is."""

    col: int
    span: int
    item: Any
    before: bool = False  # continues from the previous week
    after: bool = False  # continues into the next week


@dataclass
class Week:
    days: list[date]
    bands: list[Segment] = field(default_factory=list)
    windows: list[Segment] = field(default_factory=list)
    changes: list[Segment] = field(default_factory=list)


def _segments(first: date, start: datetime, end: datetime, item: Any) -> Segment | None:
    last = first + timedelta(days=6)
    a = timezone.localtime(start).date()
    b = timezone.localtime(end - timedelta(microseconds=1)).date()
    if b < first or a > last:
        return None
    lo, hi = max(a, first), min(b, last)
    return Segment((lo - first).days + 1, (hi - lo).days + 1, item, a < first, b > last)


@dataclass
class Bar:
    """A change as the calendar draws it."""

    number: str
    title: str
    url: str
    type_label: str
    risk: str
    risk_label: str
    state_label: str
    starts_at: datetime
    ends_at: datetime
    conflicts: list[str]
    explanations: list[str] = field(default_factory=list)
    risk_class: str = ""

    @property
    def conflicted(self) -> bool:
        return bool(self.conflicts)


def _bars(user: User, start: datetime, end: datetime, filters: cal.Filters) -> list[Bar]:
    from serval.changes.views.schedule import change_url

    rows = list(cal.changes_in_span(user, start, end, filters)[: cal.MAX_CHANGES])
    conflicts = cal.conflicts_of([d.work_item_id for d in rows])
    labels = dict(ConflictRule.choices)
    bars = []
    for d in rows:
        item = d.work_item
        bars.append(
            Bar(
                number=item.number,
                title=item.title,
                url=change_url(item.number),
                type_label=str(d.get_change_type_display()),
                risk=d.risk,
                risk_label=str(d.get_risk_display()),
                state_label=str(S.machine_for(d.change_type).states[item.state].label),
                starts_at=d.planned_start,  # type: ignore[arg-type]
                ends_at=d.planned_end,  # type: ignore[arg-type]
                conflicts=sorted({str(labels[c.rule]) for c in conflicts[d.work_item_id]}),
                explanations=[explain.sentence(c) for c in conflicts[d.work_item_id]],
                risk_class=RISK_CLASS.get(d.risk, "risk-very-high"),
            )
        )
    return bars


def _options(user: User) -> dict[str, Any]:
    from serval.people.querysets import teams_visible_to
    from serval.services.querysets import services_visible_to

    return {
        "services": list(
            services_visible_to(user).order_by("name").values_list("pk", "name")[:500]
        ),
        "teams": list(teams_visible_to(user).order_by("name").values_list("pk", "name")[:500]),
        "risks": Risk.choices,
        "types": ChangeType.choices,
        "states": [(s, S.NORMAL.states[s].label) for s in cal.STATES],
    }


def _link(view: str, day: date, filters: cal.Filters, **extra: Any) -> str:
    query = {"view": view, "date": day.isoformat(), **filters.query(), **extra}
    return f"{reverse('changes-calendar')}?{urlencode(query)}"


@login_required
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    user = _agent(request)
    asked = request.GET.get("view") or ""
    view = asked if asked in VIEWS else "month"
    today = timezone.localdate()
    anchor = _anchor(request.GET.get("date"), today)
    errors: dict[str, str] = {}
    try:
        filters = cal.clean_filters(request.GET)
    except ValidationFailed as exc:
        errors, filters = exc.as_dict(), cal.Filters()
    first, last, previous, following = _grid(view, anchor)
    start, end = _midnight(first), _midnight(last + timedelta(days=1))
    bars = _bars(user, start, end, filters)
    placed = cal.window_occurrences(user, start, end, filters)
    context: dict[str, Any] = {
        "view": view,
        "anchor": anchor,
        "today": today,
        "first": first,
        "last": last,
        "filters": filters,
        "filter_errors": errors,
        "options": _options(user),
        "placed": placed,
        "conflicted": [b for b in bars if b.conflicted],
        "truncated": len(bars) >= cal.MAX_CHANGES,
        "links": {
            "prev": _link(view, previous, filters),
            "next": _link(view, following, filters),
            "today": _link(view, today, filters),
            **{v: _link(v, anchor, filters) for v in VIEWS},
        },
        "feeds_url": f"{reverse('changes-calendar-feeds')}?{urlencode(filters.query())}",
        "section": "calendar",
    }
    if view == "list":
        page = Paginator(bars, LIST_PER_PAGE).get_page(request.GET.get("page"))
        context.update(page=page, bars=page.object_list)
    else:
        weeks = []
        day = first
        while day <= last:
            week = Week([day + timedelta(days=i) for i in range(7)])
            for p in placed:
                seg = _segments(day, p.starts_at, p.ends_at, p)
                if seg:
                    week.bands.append(seg)
                    week.windows.append(seg)
            for bar in bars:
                seg = _segments(day, bar.starts_at, bar.ends_at, bar)
                if seg:
                    week.changes.append(seg)
            weeks.append(week)
            day += timedelta(days=7)
        context["weeks"] = weeks
        context["month"] = anchor.month
    if view == "month":
        context["title_date"] = anchor.replace(day=1)
    return render(request, "changes/calendar.html", context)


# --- feeds -----------------------------------------------------------------------------------


def feed_urls(request: HttpRequest, feed: Any, filters: cal.Filters) -> dict[str, str]:
    key = feeds.key_for(feed)
    query = urlencode(filters.query())
    suffix = f"?{query}" if query else ""
    return {
        name: request.build_absolute_uri(reverse(f"changes-feed-{name}", args=[feed.user_id, key]))
        + suffix
        for name in ("changes", "windows")
    }


@login_required
def feeds_page(request: HttpRequest) -> HttpResponse:
    """The person's feed URLs for the current filters, with copy buttons; POST rotates."""
    user = _agent(request)
    if request.method == "POST":
        feeds.rotate_feed(actor=user)
        messages.success(request, _("New feed addresses made: the old ones no longer work."))
        return redirect(f"{reverse('changes-calendar-feeds')}?{request.GET.urlencode()}")
    try:
        filters = cal.clean_filters(request.GET)
    except ValidationFailed:
        filters = cal.Filters()
    feed = feeds.ensure_feed(actor=user)
    return render(
        request,
        "changes/calendar_feeds.html",
        {
            "urls": feed_urls(request, feed, filters),
            "filters": filters.query(),
            "calendar_url": f"{reverse('changes-calendar')}?{urlencode(filters.query())}",
            "section": "calendar",
        },
    )


def _feed(request: HttpRequest, user_id: int, key: str, kind: str) -> HttpResponse:
    from serval.changes.views.schedule import change_url

    owner = feeds.feed_owner(user_id, key)
    if owner is None:
        raise Http404()
    try:
        filters = cal.clean_filters(request.GET)
    except ValidationFailed as exc:
        return HttpResponse(exc.detail, status=400, content_type="text/plain; charset=utf-8")
    if kind == "changes":
        body = feeds.changes_ics(
            owner, filters, url_for=lambda n: request.build_absolute_uri(change_url(n))
        )
    else:
        body = feeds.windows_ics(
            owner,
            filters,
            url_for=lambda pk: request.build_absolute_uri(
                reverse("changes-window-detail", args=[pk])
            ),
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = f'inline; filename="serval-{kind}.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def changes_feed(request: HttpRequest, user_id: int, key: str) -> HttpResponse:
    return _feed(request, user_id, key, "changes")


@require_safe
def windows_feed(request: HttpRequest, user_id: int, key: str) -> HttpResponse:
    return _feed(request, user_id, key, "windows")


urlpatterns: list[URLPattern] = [
    path("changes/calendar/", calendar_page, name="changes-calendar"),
    path("changes/calendar/feeds/", feeds_page, name="changes-calendar-feeds"),
    path(
        "changes/calendar/feed/<int:user_id>/<str:key>/changes.ics",
        changes_feed,
        name="changes-feed-changes",
    ),
    path(
        "changes/calendar/feed/<int:user_id>/<str:key>/windows.ics",
        windows_feed,
        name="changes-feed-windows",
    ),
]
