"""Page numbers for big lists: counting stops at a cap instead of visiting every row.

A queue of "all open incidents" holds hundreds of thousands of rows at a million items; an exact
`COUNT(*)` of them costs tens of milliseconds on every page view and says nothing a person
needs ("10,000+" does). `CappedPaginator` counts at most `cap + 1` rows — one indexed range scan
that stops early — and pages stay reachable up to the cap; narrower filters reach the rest.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet

COUNT_CAP = 10_000


def capped_count(qs: QuerySet[Any], cap: int) -> int:
    """How many rows, counting no further than `cap + 1` (more than `cap` reads as `cap + 1`)."""
    # Neither the order nor the annotations change how many rows there are.
    return int(qs.order_by().values("pk")[: cap + 1].count())


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap`; `capped` says whether there were more rows."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _seen(self) -> int:
        return capped_count(self.object_list, self.cap)  # type: ignore[arg-type]

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return min(self._seen, self.cap)

    @property
    def capped(self) -> bool:
        return self._seen > self.cap
