"""Field checks actions share (assets, services, …): each turns raw input into a value or a
field error.

Kept apart from the actions so they read as rules (what is written, who may, what is journaled)
rather than as parsing. Messages are translated; errors name the field they belong to. Free text
has its own module, serval.core.text.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from serval.core.errors import ValidationFailed

MAX_MONEY = Decimal("999999999999.99")
MAX_QUANTITY = 1_000_000_000


def choice(value: Any, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ValidationFailed({field: _("One of %s.") % ", ".join(choices.values)})
    return str(value)


def money(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal | float):
        raise ValidationFailed({field: _("A decimal amount.")})
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed({field: _("A decimal amount.")}) from exc
    if not amount.is_finite() or not Decimal(0) <= amount <= MAX_MONEY:
        raise ValidationFailed({field: _("Between 0 and 999,999,999,999.99.")})
    return amount


def day(value: Any, field: str) -> date | None:
    """A calendar date (or None); a datetime is not a date here, to avoid time-zone surprises."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValidationFailed({field: _("A date (YYYY-MM-DD).")}) from exc
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationFailed({field: _("A date (YYYY-MM-DD).")})
    if not 1900 <= value.year <= 9000:
        raise ValidationFailed({field: _("Date out of range.")})
    return value


def aware(value: Any, field: str) -> datetime | None:
    if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
        raise ValidationFailed({field: _("A date and time with a time zone.")})
    return value


def whole(value: Any, field: str, *, maximum: int = MAX_QUANTITY) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise ValidationFailed({field: _("A whole number from 0 to %d.") % maximum})
    return value


def flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed({field: _("Must be true or false.")})
    return value


def not_before(values: dict[str, Any], current: Any, later: str, earlier: str) -> dict[str, str]:
    """`later` must not fall before `earlier` (either taken from the input or the record)."""
    a = values[later] if later in values else getattr(current, later, None)
    b = values[earlier] if earlier in values else getattr(current, earlier, None)
    if a is not None and b is not None and a < b:
        return {later: _("Must not be before %s.") % earlier.replace("_", " ")}
    return {}


def jsonable(value: Any) -> Any:
    """A value as the journal stores it: people by username, records by id, dates as text."""
    from serval.people.models import User

    if isinstance(value, User):
        return value.username
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return sorted(jsonable(v) for v in value)
    return value
