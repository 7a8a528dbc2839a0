"""A new incident gets the response and resolution clocks of its priority (DOMAIN.md §2.1 seed).

P1 15 min / 4 h and P2 30 min / 8 h run 24×7; P3–P5 run on office hours Mon–Fri 08:00–17:00.
"""

from __future__ import annotations

from datetime import timedelta

from serval.core.models import JournalEvent
from serval.sla.calendars import business_seconds_between
from serval.sla.models import Stage
from tests import factories as f
from tests.sla.conftest import clock, clocks_of


def test_a_p1_incident_gets_fifteen_minutes_and_four_hours(world):
    item = f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
    assert item.priority == 1
    response, resolution = clock(item, "response"), clock(item, "resolution")
    assert response.breach_at - response.start_at == timedelta(minutes=15)
    assert resolution.breach_at - resolution.start_at == timedelta(hours=4)
    assert {c.stage for c in clocks_of(item)} == {Stage.IN_PROGRESS}
    verbs = list(
        JournalEvent.objects.filter(subject_type="work_item", subject_id=item.pk).values_list(
            "verb", flat=True
        )
    )
    assert verbs.count("sla_started") == 2


def test_a_p5_incident_runs_on_office_hours(world):
    item = f.make_incident(world.agent, impact=3, urgency=3)
    resolution = clock(item, "resolution")
    assert resolution.definition.name == "P5 resolution"
    spec = resolution.definition.calendar.spec()
    assert (
        business_seconds_between(resolution.start_at, resolution.breach_at, spec) == 10 * 9 * 3600
    )
    assert resolution.breach_at - resolution.start_at >= timedelta(days=13)


def test_a_priority_change_cancels_the_old_clocks_and_starts_new_ones(world):
    from serval.incidents.actions import update_incident

    item = f.make_incident(world.agent, impact=3, urgency=3)
    update_incident(actor=world.agent, item=item, impact=1, urgency=1)
    stages = {(c.definition.name, c.stage) for c in clocks_of(item)}
    assert ("P5 resolution", Stage.CANCELLED) in stages
    assert ("P1 resolution", Stage.IN_PROGRESS) in stages
