"""Schemas every router shares: strict input base, small references, the problem document.

Inputs forbid unknown fields (mass assignment, SECURITY-REFERENCE A8) and refuse control
characters, which PostgreSQL would reject with a server error deep in the stack.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, field_validator

MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _has_control(value: str) -> bool:
    return any(ord(c) < 32 and c not in "\t\n\r" for c in value)


def _user_key(value: int | str) -> int | str:
    """A user by id or username; digit strings must be plain ASCII digits to count as ids."""
    if isinstance(value, str):
        value = value.strip()
        if not value or len(value) > 150 or _has_control(value):
            raise ValueError(_("Unknown user."))
        if value.isdigit():
            if not value.isascii():
                raise ValueError(_("Unknown user."))
            value = int(value)
    if isinstance(value, int) and not 1 <= value <= MAX_ID:
        raise ValueError(_("Unknown user."))
    return value


UserKey = Annotated[int | str, AfterValidator(_user_key)]


def _aware_datetime(value: datetime) -> datetime:
    """Reject times the database cannot hold once converted to UTC (year 1 with +14:00 …), and
    hand on zoned times in UTC: ISO 8601 allows offsets up to ±23:59, PostgreSQL only ±15:59,
    so `…+23:33` was a server error there. The instant is kept; only its notation changes."""
    try:
        converted = value.astimezone(UTC) if value.tzinfo else value
    except OverflowError as exc:
        raise ValueError(_("Date out of range.")) from exc
    if not 1900 <= converted.year <= 9000:
        raise ValueError(_("Date out of range."))
    return converted


DateTimeIn = Annotated[datetime, AfterValidator(_aware_datetime)]


class In(Schema):
    """Base of every request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str) and _has_control(item):
                raise ValueError(_("Control characters are not allowed."))
        return value


class UserRef(Schema):
    id: int
    username: str
    display_name: str


class TeamRef(Schema):
    id: int
    name: str


class OrganizationRef(Schema):
    id: int
    name: str


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    """RFC 9457 problem details, plus `errors` for fields and `allowed` for transitions."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    allowed: list[str] | None = None
    current_version: int | None = None


def problems(*codes: int) -> dict[int, type[Problem]]:
    """Declare the error responses of an operation; 401 and 422 apply to every one."""
    return {code: Problem for code in sorted({401, 422, *codes})}
