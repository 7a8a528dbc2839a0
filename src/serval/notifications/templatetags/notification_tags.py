"""`{% notification_preferences user as rows %}` for the profile page's Notifications section."""

from __future__ import annotations

from typing import Any

from django import template

from serval.notifications.actions import preferences_of
from serval.notifications.models import Event

register = template.Library()


@register.simple_tag
def notification_preferences(user: Any) -> list[dict[str, Any]]:
    """One row per event type the user can hear about: name, label, enabled."""
    labels = dict(Event.choices)
    return [
        {"event": event, "label": labels[event], "enabled": on}
        for event, on in preferences_of(user).items()
    ]
