"""iCalendar feeds (RFC 5545) of the change schedule and of the windows, per person and filter.

A calendar client cannot sign in, so the feed URL carries the person's id and a key: an HMAC
(settings.SECRET_KEY-based, `django.utils.crypto.salted_hmac`) of the id and the person's
`CalendarFeed.salt`. Rotating the salt revokes every URL handed out before. A forged key, a
person who is gone or no longer an agent: 404. The feed shows what that person may see now.

- Changes: planned from 30 days ago to a year ahead, one VEVENT each; UID `change-<id>@serval`,
  DTSTAMP the last update, SEQUENCE the change's version, STATUS TENTATIVE before Scheduled,
  CONFIRMED from Scheduled on, CANCELLED for cancelled changes (kept, so clients drop them).
- Windows: one VEVENT per window, recurring ones as their RRULE with DTSTART in the window's
  own zone (TZID, with a VTIMEZONE) — clients expand them; UID `window-<id>@serval`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vRecur

from serval.changes import calendar as cal
from serval.changes import states as S
from serval.changes import windows as W
from serval.changes.models import CalendarFeed, WindowKind, _feed_salt
from serval.core import journal
from serval.core.errors import PermissionDenied

if TYPE_CHECKING:
    from serval.people.models import User

SALT = "serval.changes.feed"
SUBJECT = "calendar_feed"
PAST = timedelta(days=30)
AHEAD = timedelta(days=366)
MAX_EVENTS = 1000
TENTATIVE_STATES = (S.NEW, S.ASSESS, S.AUTHORIZE)


# --- keys ------------------------------------------------------------------------------------


def key_for(feed: CalendarFeed) -> str:
    return salted_hmac(SALT, f"{feed.user_id}:{feed.salt}", algorithm="sha256").hexdigest()[:40]


def feed_owner(user_id: int, key: str) -> User | None:
    """The person whose feed this is, if the key is theirs and they may still read the schedule."""
    if not isinstance(key, str) or len(key) != 40 or not key.isascii() or not key.isalnum():
        return None
    feed = CalendarFeed.objects.select_related("user").filter(user_id=user_id).first()
    if feed is None or not constant_time_compare(key, key_for(feed)):
        return None
    user = feed.user
    if not user.is_active or not user.is_agent:
        return None
    return user


def ensure_feed(*, actor: User) -> CalendarFeed:
    """The person's feed, made on first use (agents: the schedule is theirs to read)."""
    if not actor.is_agent:
        raise PermissionDenied(_("Only agents have change calendar feeds."))
    feed = CalendarFeed.objects.filter(user=actor).first()
    if feed is not None:
        return feed
    with transaction.atomic():
        feed, made = CalendarFeed.objects.get_or_create(user=actor)
        if made:
            journal.append(
                tenant=actor.tenant_id,
                subject_type=SUBJECT,
                subject_id=feed.pk,
                verb="created",
                actor=actor,
            )
    return feed


def rotate_feed(*, actor: User) -> CalendarFeed:
    """A new salt: every feed URL given out before stops working (404)."""
    feed = ensure_feed(actor=actor)
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
        feed.salt = _feed_salt()
        feed.save(update_fields=["salt"])
        journal.append(
            tenant=actor.tenant_id,
            subject_type=SUBJECT,
            subject_id=feed.pk,
            verb="rotated",
            actor=actor,
        )
    return feed


# --- documents -------------------------------------------------------------------------------


def _calendar(name: str) -> Calendar:
    doc = Calendar()
    doc.add("prodid", "-//Serval//Change calendar//EN")
    doc.add("version", "2.0")
    doc.add("calscale", "GREGORIAN")
    doc.add("method", "PUBLISH")
    doc.add("x-wr-calname", name)
    doc.add("refresh-interval", timedelta(minutes=15), parameters={"VALUE": "DURATION"})
    doc.add("x-published-ttl", "PT15M")
    return doc


def status_of(state: str) -> str:
    if state == S.CANCELLED:
        return "CANCELLED"
    return "TENTATIVE" if state in TENTATIVE_STATES else "CONFIRMED"


def changes_ics(user: User, filters: cal.Filters, *, url_for: Any) -> bytes:
    """The person's visible changes in the feed's span as an iCalendar document."""
    now = timezone.now()
    qs = cal.changes_in_span(user, now - PAST, now + AHEAD, filters, default_states=False)
    rows = list(qs[:MAX_EVENTS])
    conflicts = cal.conflicts_of([d.work_item_id for d in rows])
    doc = _calendar(_("Serval changes"))
    for d in rows:
        item = d.work_item
        event = Event()
        event.add("uid", f"change-{item.pk}@serval")
        event.add("dtstamp", item.updated_at)
        event.add("last-modified", item.updated_at)
        event.add("dtstart", d.planned_start)
        event.add("dtend", d.planned_end)
        event.add("summary", f"{item.number} {item.title}")
        event.add("sequence", item.version)
        event.add("status", status_of(item.state))
        event.add("url", url_for(item.number))
        event.add("categories", [d.get_change_type_display(), d.get_risk_display()])
        lines = [
            _("Type: %s") % d.get_change_type_display(),
            _("Risk: %s") % d.get_risk_display(),
            _("State: %s") % S.machine_for(d.change_type).states[item.state].label,
        ]
        if item.assignment_group_id and item.assignment_group:
            lines.append(_("Assignment group: %s") % item.assignment_group.name)
        found = conflicts[d.work_item_id]
        if found:
            labels = sorted({str(c.get_rule_display()) for c in found})
            lines.append(_("Conflicts: %s") % "; ".join(labels))
        event.add("description", "\n".join(lines))
        doc.add_component(event)
    return doc.to_ical()


def windows_ics(user: User, filters: cal.Filters, *, url_for: Any) -> bytes:
    """The windows the person sees, recurring ones as RRULEs in their own time zone."""
    now = timezone.now()
    doc = _calendar(_("Serval maintenance and blackout windows"))
    for window in cal.windows_for(user, filters)[: cal.MAX_WINDOWS]:
        try:
            if W.series_end(window) < now - PAST:
                continue
        except ValueError:
            continue
        tz = ZoneInfo(window.time_zone)
        event = Event()
        event.add("uid", f"window-{window.pk}@serval")
        event.add("dtstamp", window.updated_at)
        event.add("dtstart", window.starts_at.astimezone(tz))
        event.add("dtend", window.ends_at.astimezone(tz))
        if window.rrule:
            event.add("rrule", vRecur.from_ical(window.rrule))
        blackout = window.kind == WindowKind.BLACKOUT
        label = _("Blackout") if blackout else _("Maintenance")
        event.add("summary", f"{label}: {window.name}")
        event.add("sequence", window.version)
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE" if blackout else "TRANSPARENT")
        event.add("categories", [label])
        event.add("url", url_for(window.pk))
        if window.description:
            event.add("description", window.description)
        doc.add_component(event)
    doc.add_missing_timezones()
    return doc.to_ical()
