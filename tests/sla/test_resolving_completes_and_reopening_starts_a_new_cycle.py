"""Resolving stops the resolution clock (met or breached); a reopened incident starts a new
cycle, and cancelling cancels the running clocks (DOMAIN.md §2.5 transitions, cycles).
"""

from __future__ import annotations

from serval.incidents.actions import transition_incident
from serval.sla.models import Stage
from tests import factories as f
from tests.sla.conftest import clock, clocks_of


def _resolve(world, item):
    transition_incident(
        actor=world.agent,
        item=item,
        to="resolved",
        close_code="solved_permanently",
        close_notes="Replaced the toner.",
    )


def test_resolving_in_time_is_met_and_late_is_breached(world, frozen):
    fast = f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
    slow = f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
    frozen.advance(hours=1)
    _resolve(world, fast)
    frozen.advance(hours=4)
    _resolve(world, slow)
    met, late = clock(fast, "resolution"), clock(slow, "resolution")
    assert (met.stage, met.has_breached) == (Stage.COMPLETED, False)
    assert (late.stage, late.has_breached) == (Stage.COMPLETED, True)
    assert met.business_elapsed_seconds == 3600
    assert met.business_elapsed_percent == 25.0


def test_reopening_starts_cycle_two(world, frozen):
    item = f.make_incident(
        world.agent, impact=1, urgency=1, caller=world.requester.pk, assignment_group=world.team.pk
    )
    _resolve(world, item)
    frozen.advance(hours=1)
    transition_incident(actor=world.requester, item=item, to="in_progress")
    second = clock(item, "resolution")
    assert second.cycle == 2
    assert second.stage == Stage.IN_PROGRESS
    assert second.start_at == frozen.now
    assert clock(item, "resolution", cycle=1).stage == Stage.COMPLETED


def test_cancelling_cancels_the_running_clocks(world, frozen):
    item = f.make_incident(world.agent, impact=2, urgency=1)
    transition_incident(actor=world.agent, item=item, to="cancelled", cancel_reason="Duplicate")
    assert {c.stage for c in clocks_of(item)} == {Stage.CANCELLED}
