"""The "Notifications" section of the profile page: a form that posts here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from serval.notifications import actions


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    """Save the checkboxes: a checked box is on, an unchecked (absent) one is off."""
    user = request.user
    chosen = set(request.POST.getlist("event"))
    values = {event: event in chosen for event in actions.preferences_of(user)}  # type: ignore[arg-type]
    actions.set_preferences(actor=user, user=user, enabled=values)  # type: ignore[arg-type]
    messages.success(request, _("Your notification settings are saved."))
    return redirect(reverse("profile") + "#notifications")
