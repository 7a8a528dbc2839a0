"""SLA test helpers: the seed definitions (restored after a flush) and a clock reader."""

from __future__ import annotations

import pytest

from serval.sla.models import BusinessCalendar, SlaClock, SlaDefinition
from serval.sla.seed import seed
from tests import factories as f


@pytest.fixture(autouse=True)
def _seeded(request):
    """Transactional tests flush the migration's seed; put it back when a database is used."""
    names = request.fixturenames
    for name in ("transactional_db", "live_server", "db"):
        if name in names:
            request.getfixturevalue(name)
            seed(f.root_tenant(), BusinessCalendar, SlaDefinition)
            return


def clocks_of(item, **filters):
    return list(
        SlaClock.objects.filter(work_item=item, **filters)
        .select_related("definition")
        .order_by("definition__target", "cycle")
    )


def clock(item, target: str, cycle: int | None = None) -> SlaClock:
    qs = SlaClock.objects.filter(work_item=item, definition__target=target)
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    return qs.select_related("definition").order_by("-cycle").first()


class FrozenClock:
    """A settable 'now' for the code under test (time is the only thing replaced)."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta):
        from datetime import timedelta

        self.now = self.now + timedelta(**delta)
        return self.now


@pytest.fixture
def frozen(monkeypatch):
    """Freeze django.utils.timezone.now at a Wednesday 10:00 UTC and let the test move it."""
    from datetime import UTC, datetime

    from django.utils import timezone

    clock = FrozenClock(datetime(2026, 6, 3, 10, 0, tzinfo=UTC))
    monkeypatch.setattr(timezone, "now", clock)
    return clock
