"""Each stored conflict as a sentence (DOMAIN.md §2.3: conflicts are "shown with an
explanation"): which rule, which CI, which related CI, the other change or window, and when.

The page renders the same parts with links (`parts`); the API returns the plain `sentence`.
Times are in the active time zone (the person's, set by the middleware).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from serval.changes.models import ChangeConflict, ConflictRule, WindowKind

RELATED = ("ci", "related_ci", "other_change", "window", "user")


def when(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return ""
    a, b = timezone.localtime(start), timezone.localtime(end)
    first = formats.date_format(a, "D j M Y H:i")
    if a.date() == b.date():
        last = formats.time_format(b, "H:i")
    else:
        last = formats.date_format(b, "D j M Y H:i")
    return f"{first} – {last}"


def _window_label(window: Any) -> str:
    kind = (
        _("maintenance window") if window.kind == WindowKind.MAINTENANCE else _("blackout window")
    )
    return f"{kind} “{window.name}”"


def sentence(c: ChangeConflict) -> str:
    """The conflict in words, e.g. "srv-01 is in the blackout window “Year-end freeze” …"."""
    span = when(c.starts_at, c.ends_at)
    ci = c.ci.name if c.ci_id and c.ci else None
    related = c.related_ci.name if c.related_ci_id and c.related_ci else None
    other = (
        f"{c.other_change.number} “{c.other_change.title}”"
        if c.other_change_id and c.other_change
        else ""
    )
    window = _window_label(c.window) if c.window_id and c.window else ""
    values = {"ci": ci, "related": related, "other": other, "window": window, "when": span}
    rule = c.rule
    if rule == ConflictRule.CI_SCHEDULED:
        text = _("%(ci)s is also changed by %(other)s at an overlapping time (%(when)s).")
    elif rule == ConflictRule.RELATED_SCHEDULED:
        text = _(
            "%(related)s, a parent or child of %(ci)s, is changed by %(other)s at an "
            "overlapping time (%(when)s)."
        )
    elif rule == ConflictRule.CI_OUTSIDE_MAINTENANCE and ci:
        text = _(
            "%(ci)s has the %(window)s, and the planned time (%(when)s) is not inside one "
            "of its occurrences."
        )
    elif rule == ConflictRule.CI_OUTSIDE_MAINTENANCE:
        text = _(
            "The change is bound by the %(window)s, and the planned time (%(when)s) is not "
            "inside one of its occurrences."
        )
    elif rule == ConflictRule.RELATED_OUTSIDE_MAINTENANCE:
        text = _(
            "%(related)s, a parent or child of %(ci)s, has the %(window)s, and the planned "
            "time (%(when)s) is not inside one of its occurrences."
        )
    elif rule == ConflictRule.CI_BLACKOUT and ci:
        text = _("%(ci)s is in the %(window)s (%(when)s).")
    elif rule == ConflictRule.CI_BLACKOUT:
        text = _("The change falls in the %(window)s (%(when)s).")
    elif rule == ConflictRule.RELATED_BLACKOUT:
        text = _("%(related)s, a parent or child of %(ci)s, is in the %(window)s (%(when)s).")
    elif rule == ConflictRule.ASSIGNEE_BUSY:
        values["user"] = c.user.display_name if c.user_id and c.user else _("The assignee")
        text = _("%(user)s is also assigned %(other)s at an overlapping time (%(when)s).")
    else:
        text = str(c.get_rule_display())
    return text % values
