"""Human numbers (INC-1001) from a counter row per kind, never MAX()+1."""

from __future__ import annotations

from functools import cache

from django.db import IntegrityError, connection, transaction

from serval.core.models import Sequence
from serval.core.rawrows import column, table


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


@cache
def _bump_sql() -> str:
    """`UPDATE … SET value = value + 1 … RETURNING value`, written once per process (a create
    is a hot path; only names from the model's metadata go in)."""
    value = column(Sequence, "value")
    return (
        f"UPDATE {table(Sequence)} SET {value} = {value} + 1"  # noqa: S608
        f" WHERE {column(Sequence, 'name')} = %s RETURNING {value}"
    )


def number_ahead(prefix: str) -> str | None:
    """On PostgreSQL outside any transaction, take the next number in a statement of its own.

    Taken inside the creating transaction, the counter's row lock lasts until that transaction
    commits, so every create of a kind waited for the whole of the one before it (the item, its
    journal, SLA clocks and queued follow-ups): the API's creates ran one at a time whatever
    the number of workers (issue 6, benchmarks/README.md). Committed at once, the lock lasts one
    statement. The price is the one PostgreSQL's own sequences pay: a create that fails after
    this leaves a gap. Numbers stay unique and increasing.

    Returns None where it cannot help — SQLite, whose write lock covers the whole transaction
    anyway, or inside a transaction already open — and the caller uses `next_number` instead.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_bump_sql(), [prefix])
        row = cursor.fetchone()
    return None if row is None else f"{prefix}-{row[0]}"  # no counter yet: next_number makes it
