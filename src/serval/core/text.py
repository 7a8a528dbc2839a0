"""Checks for free text arriving at actions, shared so every action refuses the same things.

Non-text values would crash `.strip()`; NUL is refused by PostgreSQL (text and JSON) while SQLite
would store it, so both engines refuse it here, as a field error, before any write.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from serval.core.errors import ValidationFailed


def optional_text(value: Any, *, field: str, limit: int) -> str:
    """Stripped text of at most `limit` characters; None is empty."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed({field: "Must be text."})
    if "\x00" in value:
        raise ValidationFailed({field: "Must not contain NUL characters."})
    text = value.strip()
    if len(text) > limit:
        raise ValidationFailed({field: f"At most {limit} characters."})
    return text


def required_text(value: Any, *, field: str, limit: int) -> str:
    """Like `optional_text`, but empty (or only spaces) is refused."""
    text = optional_text(value, field=field, limit=limit)
    if not text:
        raise ValidationFailed({field: f"1 to {limit} characters."})
    return text


def optional_email(value: Any, *, field: str = "email") -> str:
    text = optional_text(value, field=field, limit=254)
    if text:
        try:
            validate_email(text)
        except DjangoValidationError as exc:
            raise ValidationFailed({field: "Enter a valid e-mail address."}) from exc
    return text
