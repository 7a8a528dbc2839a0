"""Template helpers for change pages: state, type, risk and task badges (escaped with
`format_html`; colours from Tabler's light variants, which meet 4.5:1 with their text)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from serval.changes import states as S
from serval.changes.models import ChangeType, CloseCode, ConflictStatus, Risk

register = template.Library()

STATE_COLOURS = {
    S.NEW: ("blue", "ti-circle-dashed"),
    S.ASSESS: ("purple", "ti-zoom-check"),
    S.AUTHORIZE: ("purple", "ti-gavel"),
    S.SCHEDULED: ("azure", "ti-calendar-event"),
    S.IMPLEMENT: ("orange", "ti-tool"),
    S.REVIEW: ("teal", "ti-report-search"),
    S.CLOSED: ("secondary", "ti-lock"),
    S.CANCELLED: ("secondary", "ti-circle-x"),
}
TASK_COLOURS = {
    S.TASK_OPEN: ("blue", "ti-circle-dashed"),
    S.TASK_IN_PROGRESS: ("azure", "ti-progress"),
    S.TASK_COMPLETE: ("green", "ti-circle-check"),
    S.TASK_INCOMPLETE: ("orange", "ti-alert-circle"),
    S.TASK_SKIPPED: ("secondary", "ti-player-skip-forward"),
    S.TASK_CANCELLED: ("secondary", "ti-circle-x"),
}
RISK_COLOURS: dict[str, str] = {
    Risk.LOW: "green",
    Risk.MODERATE: "yellow",
    Risk.HIGH: "orange",
    Risk.VERY_HIGH: "red",
}
TYPE_ICONS: dict[str, str] = {
    ChangeType.STANDARD: "ti-template",
    ChangeType.NORMAL: "ti-arrows-exchange",
    ChangeType.EMERGENCY: "ti-urgent",
}


def _choice(choices: list[tuple[str, Any]], key: str) -> str:
    return str(dict(choices).get(key, key))


def _badge(colour: str, icon: str, label: Any, css: str) -> SafeString:
    return format_html(
        '<span class="badge bg-{}-lt {}"><i class="ti {}" aria-hidden="true"></i> {}</span>',
        colour,
        css,
        icon,
        label,
    )


@register.filter
def change_state_label(key: str | None) -> str:
    state = S.NORMAL.states.get(key or "")
    return str(state.label) if state else (key or "")


@register.filter
def change_state_badge(key: str) -> SafeString:
    colour, icon = STATE_COLOURS.get(key, ("secondary", "ti-circle"))
    return _badge(colour, icon, change_state_label(key), "state-badge")


@register.filter
def task_state_badge(key: str) -> SafeString:
    colour, icon = TASK_COLOURS.get(key, ("secondary", "ti-circle"))
    state = S.CHANGE_TASK.states.get(key)
    return _badge(colour, icon, state.label if state else key, "state-badge")


@register.filter
def risk_badge(key: str) -> SafeString:
    label = dict(Risk.choices).get(Risk(key), key) if key in Risk.values else key
    return format_html(
        '<span class="badge bg-{}-lt risk-badge" title="{}"><i class="ti ti-gauge" '
        'aria-hidden="true"></i> {}</span>',
        RISK_COLOURS.get(key, "secondary"),
        label,
        label,
    )


@register.filter
def change_type_badge(key: str) -> SafeString:
    colour = "red" if key == ChangeType.EMERGENCY else "secondary"
    return _badge(
        colour,
        TYPE_ICONS.get(key, "ti-circle"),
        _choice(ChangeType.choices, key),
        "type-badge",
    )


@register.filter
def close_code_label(key: str) -> str:
    return _choice(CloseCode.choices, key)


@register.filter
def conflict_label(key: str) -> str:
    return _choice(ConflictStatus.choices, key)


@register.filter
def split_words(value: str) -> list[str]:
    return value.split()


@register.filter
def get_field(form: Any, name: str) -> Any:
    """`form|get_field:name` → the bound field (for loops over a list of filter names)."""
    return form[name]
