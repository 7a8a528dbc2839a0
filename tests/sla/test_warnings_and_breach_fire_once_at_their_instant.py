"""50 % and 75 % warnings and the breach at 100 % fire at their instant, once, through a task
enqueued for that instant, with the periodic sweep as a safety net (DOMAIN.md §2.5 [47]).
"""

from __future__ import annotations

from datetime import timedelta

from django_tasks_db.models import DBTaskResult

from serval.core.models import JournalEvent
from serval.sla.engine import check_clock, due_clock_ids
from serval.sla.models import Stage
from serval.sla.tasks import check_sla_clock, sweep
from tests import factories as f
from tests.sla.conftest import clock


def _sla_events(item):
    return list(
        JournalEvent.objects.filter(
            subject_type="work_item", subject_id=item.pk, verb__in=["sla_warning", "sla_breached"]
        )
        .order_by("seq")
        .values_list("verb", "data__definition", "data__level")
    )


def test_a_task_is_enqueued_for_the_exact_fifty_percent_instant(world, frozen):
    item = f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
    resolution = clock(item, "resolution")
    assert resolution.next_check_at == resolution.start_at + timedelta(hours=2)
    queued = DBTaskResult.objects.filter(
        task_path=check_sla_clock.module_path, run_after=resolution.next_check_at
    )
    assert queued.count() == 1
    assert queued.get().args_kwargs["args"] == [resolution.pk]


def test_levels_fire_in_order_and_never_twice(world, frozen):
    item = f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
    resolution = clock(item, "resolution")
    start = resolution.start_at
    assert check_clock(resolution.pk, now=start + timedelta(hours=1)) == []
    assert check_clock(resolution.pk, now=start + timedelta(hours=2)) == [50]
    assert check_clock(resolution.pk, now=start + timedelta(hours=2)) == []
    assert check_clock(resolution.pk, now=start + timedelta(hours=3, minutes=1)) == [75]
    assert check_clock(resolution.pk, now=start + timedelta(hours=5)) == [100]
    assert check_clock(resolution.pk, now=start + timedelta(hours=6)) == []
    after = clock(item, "resolution")
    assert after.has_breached and after.stage == Stage.IN_PROGRESS
    assert after.next_check_at is None
    resolution_events = [e for e in _sla_events(item) if e[1] == "P1 resolution"]
    assert resolution_events == [
        ("sla_warning", "P1 resolution", 50),
        ("sla_warning", "P1 resolution", 75),
        ("sla_breached", "P1 resolution", None),
    ]


def test_the_sweep_finds_due_clocks_and_fires_missed_levels(world, frozen):
    item = f.make_incident(world.agent, impact=2, urgency=1, assignment_group=world.team.pk)
    later = frozen.now + timedelta(hours=9)
    due = due_clock_ids(now=later)
    assert {clock(item, "response").pk, clock(item, "resolution").pk} <= set(due)
    assert sweep(now=later) >= 4  # response: 50, 75, 100 at once; resolution: 50, 75, 100
    assert clock(item, "response").has_breached
    assert clock(item, "resolution").has_breached
    assert due_clock_ids(now=later) == []
    assert sweep(now=later) == 0


def test_a_paused_clock_fires_nothing(world, frozen):
    from serval.incidents.actions import transition_incident

    item = f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
    transition_incident(
        actor=world.agent, item=item, to="on_hold", hold_reason="awaiting_caller", comment="?"
    )
    assert sweep(now=frozen.now + timedelta(days=1)) == 0
    assert clock(item, "resolution").warned_level == 0
