"""Human numbers (INC-1001) from a locked counter row, never MAX()+1."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from serval.core.models import Sequence


def next_number(prefix: str) -> str:
    """Return the next number for a prefix; must run inside the caller's transaction.

    PostgreSQL serialises on the row lock; SQLite's IMMEDIATE transactions already hold the
    database write lock, so the select-then-update cannot interleave there either.
    """
    for _attempt in range(3):
        row = Sequence.objects.select_for_update().filter(name=prefix).first()
        if row is None:
            try:
                with transaction.atomic():
                    Sequence.objects.create(name=prefix)
            except IntegrityError:
                pass
            continue
        row.value += 1
        Sequence.objects.filter(name=prefix).update(value=row.value)
        return f"{prefix}-{row.value}"
    raise RuntimeError(f"could not allocate a number for {prefix}")
