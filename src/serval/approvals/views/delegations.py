"""The "Delegation" section of the profile page: its forms post here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from serval.approvals import delegation
from serval.approvals.forms import DelegationForm
from serval.approvals.views.common import user_of
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.people.models import User
from serval.people.querysets import users_visible_to


def _back() -> HttpResponse:
    return redirect(reverse("profile") + "#delegation")


@login_required
@require_POST
def delegation_create(request: HttpRequest) -> HttpResponse:
    """Name someone to decide my approvals while I am away."""
    user = user_of(request)
    form = DelegationForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for message in errors:
                messages.error(request, f"{label}: {message}" if label else str(message))
        return _back()
    username = form.cleaned_data["delegate"].strip()
    # Requesters see only themselves in the people list, so resolve among the tenant's people.
    candidates = (
        users_visible_to(user) if user.is_agent else User.objects.filter(tenant_id=user.tenant_id)
    )
    delegate = candidates.filter(username=username, is_active=True).first()
    if delegate is None:
        messages.error(request, _("Delegate: unknown user."))
        return _back()
    try:
        delegation.create_delegation(
            actor=user,
            user=user,
            delegate=delegate,
            starts_at=form.cleaned_data["starts_at"],
            ends_at=form.cleaned_data["ends_at"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationFailed as exc:
        for message in exc.as_dict().values():
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(name)s can decide your approvals in that time.") % {"name": delegate.display_name},
        )
    return _back()


@login_required
@require_POST
def delegation_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    try:
        found = delegation.access_delegation(user, pk)
        delegation.end_delegation(actor=user, delegation=found)
    except NotFound as exc:
        raise Http404() from exc
    except ValidationFailed as exc:
        for message in exc.as_dict().values():
            messages.error(request, message)
    else:
        messages.success(request, _("The delegation was ended."))
    return _back()
