"""`serval bench-data` writes each incident's SLA clocks as the engine would have left them.

The queue sorts by next breach and the sweep reads running clocks (issue 6), so generated clocks
must be what `serval.sla.engine` holds for such an incident: one per matching definition,
stopped, paused or running by the definition's conditions, with the warning levels already
fired up to now. The check is the engine itself: evaluating a generated incident again changes
nothing, and checking a running clock fires nothing (none is left due); a still-resolved
incident was resolved within the auto-close window, so the auto-close job finds nothing.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from serval.incidents import states as S
from serval.incidents.actions import close_resolved_incidents
from serval.sla import engine
from serval.sla.models import SlaClock, Stage
from serval.work.models import WorkItem

pytestmark = pytest.mark.django_db

SNAPSHOT = ("stage", "breach_at", "stop_at", "paused_at", "warned_level", "has_breached")


def _generate() -> str:
    out = StringIO()
    call_command(
        "bench_data",
        "--work-items=150",
        "--users=12",
        "--teams=3",
        "--tenants=2",
        "--batch=40",
        "--no-progress",
        stdout=out,
    )
    return out.getvalue()


def test_each_incident_has_its_priority_clocks_in_the_stage_its_state_implies() -> None:
    out = _generate()
    assert "SLA clocks: 300 (" in out
    for item in WorkItem.objects.all():
        clocks = {c.definition.target: c for c in item.sla_clocks.select_related("definition")}
        assert set(clocks) == {"response", "resolution"}
        assert {c.definition.name for c in clocks.values()} == {
            f"P{item.priority} response",
            f"P{item.priority} resolution",
        }
        response, resolution = clocks["response"], clocks["resolution"]
        if item.state == S.NEW:
            assert response.stage == resolution.stage == Stage.IN_PROGRESS
        elif item.state == S.CANCELLED:
            assert resolution.stage == Stage.CANCELLED
        else:
            assert response.stage == Stage.COMPLETED
        if item.state in (S.RESOLVED, S.CLOSED):
            assert resolution.stage == Stage.COMPLETED
        if item.state == S.ON_HOLD:
            paused = item.hold_reason == "awaiting_caller"
            assert resolution.stage == (Stage.PAUSED if paused else Stage.IN_PROGRESS)
        # The item's SLA summary is what the engine would store (serval.sla.engine.sync_item).
        summary = engine.summary(clocks.values())
        assert (item.sla_next_breach_at, item.sla_flagged) == tuple(summary.values())
        for clock in clocks.values():
            assert clock.start_at == item.opened_at
            assert clock.next_check_at is None or clock.stage == Stage.IN_PROGRESS


def test_the_engine_finds_nothing_to_change_on_generated_incidents() -> None:
    _generate()
    before = {c.pk: tuple(getattr(c, f) for f in SNAPSHOT) for c in SlaClock.objects.all()}
    due = set(engine.due_clock_ids(now=engine.timezone.now()))
    for item in WorkItem.objects.filter(state__in=S.OPEN_STATES):
        with transaction.atomic():
            locked = WorkItem.objects.select_for_update().get(pk=item.pk)
            engine.evaluate(locked)
    after = {c.pk: tuple(getattr(c, f) for f in SNAPSHOT) for c in SlaClock.objects.all()}
    assert after == before  # no clock attached, none changed
    assert due == set()
    for pk in SlaClock.objects.filter(stage=Stage.IN_PROGRESS).values_list("pk", flat=True):
        assert engine.check_clock(pk) == []
    assert close_resolved_incidents(days=settings.INCIDENT_AUTO_CLOSE_DAYS) == 0
