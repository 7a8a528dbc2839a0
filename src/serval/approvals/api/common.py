"""Shapes and lookups the approval routers share."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from serval.api.paging import DEFAULT_LIMIT, MAX_LIMIT
from serval.core.errors import ValidationFailed
from serval.people.models import User

Limit = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=1000)


class Ref(Schema):
    id: int
    name: str


def person(key: int | str | None, *, field: str) -> User | None:
    """A user named by id or username; the action decides whether they are within reach."""
    if key is None:
        return None
    qs = User.objects.filter(is_active=True)
    found = qs.filter(pk=key).first() if isinstance(key, int) else qs.filter(username=key).first()
    if found is None:
        raise ValidationFailed({field: _("Unknown user.")})
    return found


def ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None
