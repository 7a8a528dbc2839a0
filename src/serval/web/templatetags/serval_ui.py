"""Template helpers for the desk: Markdown bodies, state and priority badges, labels.

Badges are built with `format_html`, which escapes every value; nothing here marks user text safe
except the Markdown filter, whose output is sanitised by nh3 first (SECURITY-REFERENCE B1/B4).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from serval.incidents.states import CLOSE_CODES, HOLD_REASONS, INCIDENT
from serval.web.markdown import render_markdown
from serval.work.models import LEVELS, PRIORITIES, Channel

register = template.Library()

STATE_COLOURS = {
    "new": "blue",
    "in_progress": "azure",
    "on_hold": "yellow",
    "resolved": "green",
    "closed": "secondary",
    "cancelled": "secondary",
}
STATE_ICONS = {
    "new": "ti-circle-dashed",
    "in_progress": "ti-progress",
    "on_hold": "ti-player-pause",
    "resolved": "ti-circle-check",
    "closed": "ti-lock",
    "cancelled": "ti-circle-x",
}
_LABELS: dict[str, dict[Any, Any]] = {
    "priority": dict(PRIORITIES),
    "impact": dict(LEVELS),
    "urgency": dict(LEVELS),
    "channel": dict(Channel.choices),
    "hold_reason": dict(HOLD_REASONS),
    "close_code": dict(CLOSE_CODES),
}


def _change_labels() -> None:
    """Change fields in journal entries read as labels too (DOMAIN.md §2.3)."""
    from serval.changes.models import ChangeType, CloseCode, Risk

    _LABELS["close_code"] = {**dict(CLOSE_CODES), **dict(CloseCode.choices)}
    _LABELS["change_type"] = dict(ChangeType.choices)
    _LABELS["risk"] = dict(Risk.choices)


_change_labels()


@register.filter(name="markdown")
def markdown_filter(value: str | None) -> SafeString:
    """Render a Markdown body as sanitised HTML (raw HTML and unsafe links never survive)."""
    return mark_safe(render_markdown(value))


def state_label(key: str | None) -> str:
    state = INCIDENT.states.get(key or "")
    return str(_(state.label)) if state else (key or "")


register.filter("state_label", state_label)


@register.filter
def state_badge(key: str) -> SafeString:
    return _state_badge(key, get_language())


@lru_cache(maxsize=256)
def _state_badge(key: str, language: str | None) -> SafeString:
    """Badges are the same for every row with the same state: built once per language."""
    colour = STATE_COLOURS.get(key, "secondary")
    return format_html(
        '<span class="badge bg-{}-lt state-badge">'
        '<i class="ti {}" aria-hidden="true"></i> {}</span>',
        colour,
        STATE_ICONS.get(key, "ti-circle"),
        state_label(key),
    )


@register.filter
def priority_badge(value: int | None) -> SafeString:
    """A P1–P5 chip; colours are our own (app.css) so each meets 4.5:1 contrast."""
    if not value:
        return format_html("{}", "")
    return _priority_badge(int(value), get_language())


@lru_cache(maxsize=64)
def _priority_badge(value: int, language: str | None) -> SafeString:
    label = dict(PRIORITIES).get(value, value)
    return format_html(
        '<span class="badge priority-badge priority-{}" title="{}">P{}</span>',
        value,
        label,
        value,
    )


@lru_cache(maxsize=32)
def _date_names(language: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (
        tuple(str(MONTHS_3[m]).title() if m else "" for m in range(13)),
        tuple(str(WEEKDAYS_ABBR[d]) for d in range(7)),
    )


def short_datetime(value: datetime, *, weekday: bool = False) -> str:
    """`date:"j M, H:i"` (with `weekday`: `"D j M, H:i"`) in the current zone, for table rows:
    the same text as the template filter without its per-call format parsing."""
    local = timezone.localtime(value)
    months, days = _date_names(get_language())
    text = f"{local.day} {months[local.month]}, {local.hour:02d}:{local.minute:02d}"
    return f"{days[local.weekday()]} {text}" if weekday else text


@register.filter
def priority_label(value: int | None) -> str:
    return str(dict(PRIORITIES).get(int(value), value)) if value else ""


TIME_FIELDS = frozenset(
    {"planned_start", "planned_end", "actual_start", "actual_end", "cab_date", "due_date"}
)


def _local_time(text: str) -> str:
    """An ISO moment from the journal, in the viewer's time zone ("11 Dec 2026, 22:00")."""
    from datetime import datetime

    from django.utils import formats, timezone

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "j M Y, H:i")


@register.filter
def field_value(value: Any, field: str) -> str:
    """A journal value shown as a person reads it (labels instead of stored keys)."""
    if value is None or value == "":
        return "—"
    if field == "state":
        return state_label(str(value))
    if field in TIME_FIELDS and isinstance(value, str):
        return _local_time(value)
    labels = _LABELS.get(field)
    if labels is not None:
        return str(labels.get(value, value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


@register.filter
def choice_label(value: Any, field: str) -> str:
    return field_value(value, field)


@register.filter
def initials(user: Any) -> str:
    if user is None:
        return "·"
    name = (getattr(user, "get_full_name", lambda: "")() or user.username).split()
    letters = "".join(part[0] for part in name[:2]) if name else "?"
    return letters.upper()


@register.filter
def filesize(value: int | None) -> str:
    size = float(value or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


@register.filter
def bs(bound_field: Any, extra: str = "") -> SafeString:
    """Render a form widget with Tabler classes and the ARIA state of its errors."""
    from django import forms as django_forms

    widget = bound_field.field.widget
    if isinstance(widget, django_forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, django_forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    attrs = {"class": f"{css} {extra}".strip()}
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        described.append(f"{bound_field.auto_id}_errors")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag
def field(bound_field: Any, wrapper_class: str = "") -> SafeString:
    """`{% field form.title %}`: a form field with its label, hint and errors (Tabler markup).

    Written in Python rather than as an included template: an include cost ~0.15 ms per field,
    and an incident page draws dozens of fields in its side panel and transition dialogs
    (a tenth of the page's time, benchmarks/README.md, issue 6). Every value is escaped by
    `format_html`, as the template's autoescaping did.
    """
    auto_id = bound_field.auto_id
    parts = []
    if bound_field.help_text:
        parts.append(
            format_html(
                '\n  <div class="form-hint" id="{}_helptext">{}</div>',
                auto_id,
                bound_field.help_text,
            )
        )
    errors = bound_field.errors
    if errors:
        parts.append(
            format_html(
                '\n  <div class="invalid-feedback d-block" id="{}_errors">{}</div>',
                auto_id,
                format_html_join(" ", "{}", ((e,) for e in errors)),
            )
        )
    tail = mark_safe("".join(parts))  # each part was built by format_html
    if bound_field.widget_type == "checkbox":
        return format_html(
            '<div class="mb-3">\n  <label class="form-check" for="{}">\n    {}\n'
            '    <span class="form-check-label">{}</span>\n  </label>{}\n</div>',
            auto_id,
            bs(bound_field),
            bound_field.label,
            tail,
        )
    return format_html(
        '<div class="mb-3{}">\n  <label class="form-label{}" for="{}">{}</label>\n  {}{}\n</div>',
        f" {wrapper_class}" if wrapper_class else "",
        " required" if bound_field.field.required else "",
        auto_id,
        bound_field.label,
        bs(bound_field),
        tail,
    )


JOURNAL_VERBS = {
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Changed"),
    "deleted": gettext_lazy("Deleted"),
    "relationship_added": gettext_lazy("Relationship added"),
    "relationship_removed": gettext_lazy("Relationship removed"),
    "service_linked": gettext_lazy("Linked to a service"),
    "service_unlinked": gettext_lazy("Unlinked from a service"),
}


@register.filter
def journal_verb(verb: str) -> str:
    """A journal verb as people read it; unknown verbs fall back to their words."""
    label = JOURNAL_VERBS.get(verb)
    return str(label) if label else verb.replace("_", " ").capitalize()
