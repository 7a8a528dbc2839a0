"""Delegations over the API: mine (given and received); administrators those of their tenants."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from serval.api.auth import actor
from serval.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page
from serval.api.schemas import DateTimeIn, Id, In, UserKey, UserRef, problems
from serval.api.workitems import user_ref
from serval.approvals import delegation
from serval.approvals.api.common import person
from serval.approvals.models import Delegation
from serval.core.errors import ValidationFailed

router = Router(tags=["delegations"])


class DelegationOut(Schema):
    id: int
    user: UserRef = Field(..., description="Who is away.")
    delegate: UserRef = Field(..., description="Who decides for them meanwhile.")
    starts_at: datetime
    ends_at: datetime
    reason: str
    active: bool
    created_at: datetime


class DelegationPage(Schema):
    items: list[DelegationOut]
    next: str | None


class DelegationIn(In):
    delegate: UserKey
    starts_at: DateTimeIn
    ends_at: DateTimeIn
    reason: str = Field("", max_length=200)
    user: UserKey | None = Field(None, description="Administrators only; default: you.")


class DelegationFilters(Schema):
    scope: Literal["all", "given", "received"] = "all"
    active: bool | None = Field(None, description="Only those active now (or not).")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=1000)


def delegation_out(d: Delegation) -> dict[str, Any]:
    return {
        "id": d.pk,
        "user": user_ref(d.user),
        "delegate": user_ref(d.delegate),
        "starts_at": d.starts_at,
        "ends_at": d.ends_at,
        "reason": d.reason,
        "active": delegation.is_active(d),
        "created_at": d.created_at,
    }


@router.get("/delegations", response={200: DelegationPage, **problems()})
def list_delegations(request: HttpRequest, filters: Query[DelegationFilters]) -> dict[str, Any]:
    user = actor(request)
    qs = delegation.delegations_visible_to(user).select_related("user", "delegate")
    if filters.scope == "given":
        qs = qs.filter(user=user)
    elif filters.scope == "received":
        qs = qs.filter(delegate=user)
    now = timezone.now()
    if filters.active is True:
        qs = qs.filter(starts_at__lte=now, ends_at__gt=now)
    elif filters.active is False:
        qs = qs.filter(Q(starts_at__gt=now) | Q(ends_at__lte=now))
    rows, next_link = page(
        request, qs, ordering="-starts_at", limit=filters.limit, cursor=filters.cursor
    )
    return {"items": [delegation_out(d) for d in rows], "next": next_link}


@router.post("/delegations", response={201: DelegationOut, **problems(403)})
def create_delegation(request: HttpRequest, payload: DelegationIn) -> Status[Any]:
    """Let someone decide your approvals in a window (administrators: anyone's of theirs)."""
    user = actor(request)
    away = user
    if payload.user is not None:
        from serval.people.querysets import users_visible_to

        qs = users_visible_to(user)
        key = payload.user
        found = (
            qs.filter(pk=key).first() if isinstance(key, int) else qs.filter(username=key).first()
        )
        if found is None:
            raise ValidationFailed({"user": _("Unknown user.")})
        away = found
    delegate = person(payload.delegate, field="delegate")
    if away is None or delegate is None:  # pragma: no cover - person() raises instead
        raise ValidationFailed({"delegate": _("Unknown user.")})
    created = delegation.create_delegation(
        actor=user,
        user=away,
        delegate=delegate,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        reason=payload.reason,
    )
    return Status(201, delegation_out(delegation.access_delegation(user, created.pk)))


@router.post("/delegations/{id}/end", response={200: DelegationOut, **problems(404)})
def end_delegation(request: HttpRequest, id: Id) -> dict[str, Any]:
    """End a delegation now; it stays on record."""
    user = actor(request)
    found = delegation.access_delegation(user, id)
    delegation.end_delegation(actor=user, delegation=found)
    return delegation_out(delegation.access_delegation(user, id))
