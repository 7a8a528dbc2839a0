"""Delegation while away: someone else decides my approvals meanwhile (DOMAIN.md §2.4).

A delegation names the person away (`user`), the `delegate` and a window [starts_at,
ends_at). While it is active the engine offers the user's open approvals to the delegate too
(`engine.delegators`), the delegate gets the approval e-mails, and a decision the delegate
makes is recorded as theirs "on behalf of" the user. Delegation is not transitive: the
delegate's own delegate does not inherit it.

Rules: nobody delegates to themselves; the delegate is an active person who works in the
user's tenant; the window ends after it starts, ends in the future and lasts at most
`MAX_DAYS`; two delegations of one user to the same delegate do not overlap. People delegate
their own approvals; administrators may set one up for anyone of their tenants. Ending a
delegation keeps it on record (its end moves to now). Journaled on subject "delegation".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from serval.approvals.models import Delegation
from serval.core import journal
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.core.tenancy import reach
from serval.core.text import optional_text
from serval.people.models import User

SUBJECT = "delegation"
MAX_DAYS = 366


def delegations_visible_to(user: User) -> QuerySet[Delegation]:
    """One's own delegations (given and received); administrators those of their tenants."""
    if not getattr(user, "is_authenticated", False):
        return Delegation.objects.none()
    mine = Q(user=user) | Q(delegate=user)
    if user.is_admin:
        mine |= Q(user__tenant_id__in=reach(user))
    return Delegation.objects.filter(mine)


def access_delegation(user: User, pk: int) -> Delegation:
    found = delegations_visible_to(user).select_related("user", "delegate").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such delegation."))
    return found


def is_active(delegation: Delegation, at: datetime | None = None) -> bool:
    at = at or timezone.now()
    return delegation.starts_at <= at < delegation.ends_at


def _moment(value: Any, field: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValidationFailed({field: _("A date and time (ISO 8601).")}) from exc
    if not isinstance(value, datetime):
        raise ValidationFailed({field: _("A date and time.")})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not 1970 <= value.year <= 9000:
        raise ValidationFailed({field: _("Date out of range.")})
    return value


def _may_manage(actor: User, user: User) -> bool:
    return actor.pk == user.pk or (actor.is_admin and user.tenant_id in reach(actor))


def create_delegation(
    *,
    actor: User,
    user: User,
    delegate: User,
    starts_at: Any,
    ends_at: Any,
    reason: Any = "",
) -> Delegation:
    """Let `delegate` decide `user`'s approvals from `starts_at` until `ends_at`."""
    if not _may_manage(actor, user):
        raise PermissionDenied(_("You can only delegate your own approvals."))
    errors: dict[str, str] = {}
    window: dict[str, datetime] = {}
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        try:
            window[name] = _moment(value, name)
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    try:
        reason = optional_text(reason, field="reason", limit=200)
    except ValidationFailed as exc:
        errors.update(exc.as_dict())
    if delegate.pk == user.pk:
        errors["delegate"] = _("Choose someone other than yourself.")
    elif not delegate.is_active or user.tenant_id not in reach(delegate):
        errors["delegate"] = _("Unknown user.")
    if errors:
        raise ValidationFailed(errors)
    start, end = window["starts_at"], window["ends_at"]
    now = timezone.now()
    if end <= start:
        raise ValidationFailed({"ends_at": _("Must be after the start.")})
    if end <= now:
        raise ValidationFailed({"ends_at": _("Must be in the future.")})
    if end - start > timedelta(days=MAX_DAYS):
        raise ValidationFailed({"ends_at": _("A delegation lasts at most %d days.") % MAX_DAYS})
    if start > now + timedelta(days=MAX_DAYS):
        raise ValidationFailed({"starts_at": _("At most a year ahead.")})
    with transaction.atomic():
        # One writer per person at a time: the overlap check below must see the others.
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        overlapping = Delegation.objects.filter(
            user=user, delegate=delegate, starts_at__lt=end, ends_at__gt=start
        )
        if overlapping.exists():
            raise ValidationFailed(
                {"starts_at": _("%s already stands in for you then.") % delegate.display_name}
            )
        delegation = Delegation.objects.create(
            user=user, delegate=delegate, starts_at=start, ends_at=end, reason=reason
        )
        journal.append(
            tenant=user.tenant_id,
            subject_type=SUBJECT,
            subject_id=delegation.pk,
            verb="created",
            actor=actor,
            data={
                "user": user.username,
                "delegate": delegate.username,
                "starts_at": start.isoformat(),
                "ends_at": end.isoformat(),
                "reason": reason,
            },
        )
    return delegation


def end_delegation(*, actor: User, delegation: Delegation) -> Delegation:
    """End a delegation now (one not started yet ends before it starts); kept on record."""
    if not _may_manage(actor, delegation.user) and actor.pk != delegation.delegate_id:
        raise NotFound(_("No such delegation."))
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
        now = timezone.now()
        if delegation.ends_at <= now or delegation.ends_at <= delegation.starts_at:
            raise ValidationFailed({"delegation": _("This delegation has ended already.")})
        before = delegation.ends_at
        delegation.ends_at = max(now, delegation.starts_at)
        delegation.save(update_fields=["ends_at"])
        journal.append(
            tenant=delegation.user.tenant_id,
            subject_type=SUBJECT,
            subject_id=delegation.pk,
            verb="ended",
            actor=actor,
            data={"ends_at": [before.isoformat(), delegation.ends_at.isoformat()]},
        )
    return delegation
