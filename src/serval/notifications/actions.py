"""Writing notification preferences (DESIGN.md rule 1: every write goes through an action)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from serval.core.errors import PermissionDenied, ValidationFailed
from serval.notifications.models import AGENT_ONLY_EVENTS, Event, Preference
from serval.people.models import User


def events_for(user: User) -> list[Event]:
    """The event types `user` can hear about: requesters never get internal ones."""
    return [e for e in Event if user.is_agent or e not in AGENT_ONLY_EVENTS]


def preferences_of(user: User) -> dict[str, bool]:
    """{event: enabled} for every event the user can hear about; absent rows mean on."""
    stored = dict(Preference.objects.filter(user=user).values_list("event", "enabled"))
    return {str(e): stored.get(str(e), True) for e in events_for(user)}


def set_preferences(*, actor: User, user: User, enabled: dict[str, bool]) -> dict[str, bool]:
    """Switch e-mail per event type on or off; people change only their own preferences."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("You can only change your own notifications."))
    known = {str(e) for e in events_for(user)}
    unknown = sorted(set(enabled) - known)
    if unknown:
        raise ValidationFailed({name: _("Unknown event.") for name in unknown})
    if any(not isinstance(v, bool) for v in enabled.values()):
        raise ValidationFailed({"enabled": _("Must be true or false.")})
    with transaction.atomic():
        for event, on in enabled.items():
            Preference.objects.update_or_create(user=user, event=event, defaults={"enabled": on})
    return preferences_of(user)
