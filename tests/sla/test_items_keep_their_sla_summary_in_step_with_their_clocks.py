"""Every work item carries its SLA summary — the next running deadline and whether an active
clock is flagged (breached, or running past 75 %) — kept by the engine in the same transaction
as the clocks, so agents' queues sort and filter "at risk" from an index (issue 6). Whatever
happens to the clocks (attach, pause, resume, stop, a fired level, a calendar edit), the summary
is what the clocks say.
"""

from __future__ import annotations

from datetime import timedelta

from serval.incidents.actions import comment_on_incident, transition_incident
from serval.sla import actions as sla_actions
from serval.sla.engine import check_clock, summary
from serval.sla.models import BusinessCalendar, SlaClock
from serval.work.models import WorkItem
from tests import factories as f
from tests.sla.conftest import clock


def _stored(item):
    row = WorkItem.objects.values("sla_next_breach_at", "sla_flagged").get(pk=item.pk)
    return row, summary(SlaClock.objects.filter(work_item=item))


def test_the_summary_follows_attach_pause_resume_and_stop(world):
    item = f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
    stored, expected = _stored(item)
    assert stored == expected
    assert stored["sla_next_breach_at"] == clock(item, "response").breach_at  # 15 min < 4 h
    assert stored["sla_flagged"] is False
    transition_incident(
        actor=world.agent, item=item, to="on_hold", hold_reason="awaiting_caller", comment="?"
    )
    stored, expected = _stored(item)
    assert stored == expected == {"sla_next_breach_at": None, "sla_flagged": False}
    comment_on_incident(actor=world.agent, item=item, body="Here is the log.", internal=False)
    stored, expected = _stored(item)
    assert stored == expected
    assert stored["sla_next_breach_at"] == clock(item, "resolution").breach_at
    transition_incident(
        actor=world.agent, item=item, to="resolved", close_code="solved_remotely", close_notes="ok"
    )
    assert _stored(item)[0] == {"sla_next_breach_at": None, "sla_flagged": False}


def test_a_fired_warning_or_breach_flags_the_item(world):
    item = f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
    resolution = clock(item, "resolution")
    check_clock(resolution.pk, now=resolution.start_at + timedelta(hours=3, minutes=10))
    stored, expected = _stored(item)
    assert stored == expected and stored["sla_flagged"] is True
    response = clock(item, "response")
    check_clock(response.pk, now=response.breach_at + timedelta(minutes=1))
    assert _stored(item)[0]["sla_flagged"] is True


def test_a_calendar_edit_moves_the_stored_deadline(world):
    item = f.make_incident(world.agent, impact=3, urgency=2, assignment_group=world.team.pk)  # P4
    before = _stored(item)[0]["sla_next_breach_at"]
    calendar = BusinessCalendar.objects.get(name__startswith="Office hours")
    day = clock(item, "response").breach_at.date()
    sla_actions.add_closed_date(actor=world.admin, calendar=calendar, day=day)
    stored, expected = _stored(item)
    assert stored == expected
    assert stored["sla_next_breach_at"] > before
