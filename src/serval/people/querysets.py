"""Visibility of people and reference data (teams, organizations) — decided here only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from serval.core.tenancy import reach, shared_reach

if TYPE_CHECKING:
    from serval.people.models import Organization, Team, User


def users_visible_to(user: User) -> QuerySet[User]:
    """Agents see the people of their tenants; requesters only themselves."""
    from serval.people.models import User

    if not user.is_authenticated:
        return User.objects.none()
    if not user.is_agent:
        return User.objects.filter(pk=user.pk)
    return User.objects.filter(tenant_id__in=reach(user))


def _reference(model: type, user: User) -> QuerySet:
    own = reach(user)
    if not own:
        return model.objects.none()  # type: ignore[attr-defined]
    inherited = shared_reach(user) - own
    return model.objects.filter(  # type: ignore[attr-defined]
        Q(tenant_id__in=own) | Q(tenant_id__in=inherited, shared=True)
    )


def teams_visible_to(user: User) -> QuerySet[Team]:
    from serval.people.models import Team

    if not user.is_authenticated:
        return Team.objects.none()
    return _reference(Team, user)


def organizations_visible_to(user: User) -> QuerySet[Organization]:
    from serval.people.models import Organization

    if not user.is_authenticated:
        return Organization.objects.none()
    if not user.is_agent:
        return Organization.objects.filter(id=user.organization_id or 0)
    return _reference(Organization, user)
