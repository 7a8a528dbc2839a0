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
