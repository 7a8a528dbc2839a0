"""Template helpers for service levels: spans of time as people say them, live countdowns.

The countdown text is rendered on the server (so the page reads right without JavaScript and in
tests) and then kept current by app.js from the `data-deadline` attribute — the same wording,
built from the `data-future` / `data-past` templates carried on the element.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from serval.web.templatetags.serval_ui import short_datetime

register = template.Library()


@register.filter
def span(seconds: Any) -> str:
    """3 h 12 min · 2 d 4 h · 12 min · 40 s (the largest two units)."""
    total = abs(int(seconds or 0))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return (
            _("%(d)s d %(h)s h") % {"d": days, "h": hours} if hours else _("%(d)s d") % {"d": days}
        )
    if hours:
        return (
            _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
            if minutes
            else _("%(h)s h") % {"h": hours}
        )
    if minutes:
        return _("%(m)s min") % {"m": minutes}
    return _("%(s)s s") % {"s": secs}


def countdown_text(deadline: datetime, now: datetime | None = None) -> str:
    now = now or timezone.now()
    seconds = int((deadline - now).total_seconds())
    if seconds >= 0:
        return _("in %(span)s") % {"span": span(seconds)}
    return _("overdue by %(span)s") % {"span": span(-seconds)}


@register.filter
def countdown(deadline: datetime | None, style: str = "") -> SafeString:
    """A <time> that app.js updates every second: "in 3 h 12 min" / "overdue by 5 min";
    `countdown:"short"` gives "3 h 12 min" / "−5 min" for narrow table cells."""
    if deadline is None:
        return format_html("{}", "")
    if style == "short":
        future, past = "{t}", "−{t}"
        seconds = int((deadline - timezone.now()).total_seconds())
        text = span(seconds) if seconds >= 0 else "−" + span(-seconds)
    else:
        future = _("in %(span)s") % {"span": "{t}"}
        past = _("overdue by %(span)s") % {"span": "{t}"}
        text = countdown_text(deadline)
    return format_html(
        '<time class="sla-countdown tabular-nums" datetime="{}" data-deadline="{}" '
        'data-future="{}" data-past="{}">{}</time>',
        deadline.isoformat(),
        deadline.isoformat(),
        future,
        past,
        text,
    )


@register.filter
def queue_badge(status: dict[str, Any] | None) -> SafeString:
    """The queue's SLA cell for one item, from `serval.incidents.listing.sla_status`: its
    worst running clock's colour and the countdown to its next breach."""
    status = status or {}
    deadline = status.get("next_breach")
    when = short_datetime(deadline, weekday=True) if deadline else ""
    if status.get("breached"):
        title = _("Breached") + (f" · {when}" if when else "")
        inner = countdown(deadline, "short") if deadline else _("Breached")
        return format_html(
            '<span class="badge bg-red-lt sla-queue-badge" data-sla-status="breached" '
            'title="{}"><i class="ti ti-alarm" aria-hidden="true"></i> {}</span>',
            title,
            inner,
        )
    if deadline:
        warning = status.get("warning")
        return format_html(
            '<span class="badge {} sla-queue-badge" data-sla-status="{}" title="{}">'
            '<i class="ti {}" aria-hidden="true"></i> {}</span>',
            "bg-yellow-lt" if warning else "bg-green-lt",
            "warning" if warning else "ok",
            when,
            "ti-alert-triangle" if warning else "ti-clock",
            countdown(deadline, "short"),
        )
    if status.get("paused"):
        return format_html(
            '<span class="badge bg-secondary-lt sla-queue-badge" data-sla-status="paused">'
            '<i class="ti ti-player-pause" aria-hidden="true"></i> {}</span>',
            _("Paused"),
        )
    return format_html('<span class="text-secondary">{}</span>', "—")
