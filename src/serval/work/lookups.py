"""`state__in` written so the open-item partial indexes can serve it, on SQLite too.

The queues filter on open states, and the indexes that make them fast are partial, `WHERE state
IN ('new', 'in_progress', 'on_hold')` (serval.work.models). A planner may use a partial index
only when it can prove the query's WHERE implies the index's; SQLite proves that by matching
terms, so with the states sent as bound parameters (`state IN (?, ?, ?)`) it never can, and a
team's queue read every row of the team and sorted them (3.4 ms instead of 0.2 ms at 20,000
items, growing with the team). So for a plain list of state names this lookup writes the names
into the SQL, and when they are some of the open states it adds the index's own term, which
changes nothing about the rows (`A ⊆ B` makes `A AND B` equal to `A`) and lets SQLite match it
term for term. PostgreSQL proves subsets itself; the literals cost it nothing.

Only values that are plain state names (lower-case letters and underscores) are written
inline; anything else — a subquery, an expression, a value from outside the state machines —
keeps the ordinary bound-parameter form.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models.lookups import In

# The states the partial indexes cover: serval.work.models writes their conditions with it.
OPEN_INDEX_STATES = ("new", "in_progress", "on_hold")
_NAME = re.compile(r"[a-z_]{1,24}")


def _names(values: Any) -> list[str] | None:
    """The distinct values, sorted, if every one is a plain state name; else None."""
    if not isinstance(values, (list, tuple, set, frozenset)):
        return None
    if not all(isinstance(v, str) and _NAME.fullmatch(v) for v in values):
        return None
    return sorted(set(values))


def _literal_in(column: str, names: list[str] | tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(f"'{name}'" for name in names)})"


class StateIn(In):
    """`IN` with state names inline, plus the open-index term for a subset of open states."""

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        names = _names(self.rhs) if self.rhs_is_direct_value() else None
        if not names:
            return super().as_sql(compiler, connection)
        lhs, params = self.process_lhs(compiler, connection)
        if set(names) == set(OPEN_INDEX_STATES):
            # Term for term as the index condition: SQLite compares them as written.
            sql = _literal_in(lhs, OPEN_INDEX_STATES)
        elif set(names) < set(OPEN_INDEX_STATES):
            sql = f"({_literal_in(lhs, names)} AND {_literal_in(lhs, OPEN_INDEX_STATES)})"
        else:
            sql = _literal_in(lhs, names)
        return sql, tuple(params)
