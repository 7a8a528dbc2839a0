"""On hold awaiting the caller pauses the resolution clock; the caller's reply resumes it, and
the breach time moves by the length of the pause (DOMAIN.md §2.5 "Pause on pending customer").
Awaiting a vendor does not pause the customer's SLA.
"""

from __future__ import annotations

from datetime import timedelta

from serval.core.models import JournalEvent
from serval.incidents.actions import comment_on_incident, transition_incident
from serval.sla.models import Stage
from tests import factories as f
from tests.sla.conftest import clock


def _verbs(item):
    return list(
        JournalEvent.objects.filter(subject_type="work_item", subject_id=item.pk)
        .order_by("seq")
        .values_list("verb", flat=True)
    )


def test_the_clock_pauses_and_resumes_and_the_breach_moves(world, frozen):
    item = f.make_incident(
        world.agent, impact=1, urgency=1, caller=world.requester.pk, assignment_group=world.team.pk
    )
    original = clock(item, "resolution").breach_at
    frozen.advance(minutes=30)
    transition_incident(
        actor=world.agent,
        item=item,
        to="on_hold",
        hold_reason="awaiting_caller",
        comment="Which printer?",
    )
    paused = clock(item, "resolution")
    assert paused.stage == Stage.PAUSED
    assert clock(item, "response").stage == Stage.COMPLETED

    frozen.advance(hours=2)
    comment_on_incident(actor=world.requester, item=item, body="The one on floor 3.")
    resumed = clock(item, "resolution")
    assert resumed.stage == Stage.IN_PROGRESS
    assert resumed.pause_seconds == 2 * 3600
    assert resumed.breach_at == original + timedelta(hours=2)
    assert resumed.original_breach_at == original
    assert {"sla_paused", "sla_resumed"} <= set(_verbs(item))


def test_awaiting_a_vendor_keeps_the_customer_clock_running(world, frozen):
    item = f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
    transition_incident(actor=world.agent, item=item, to="on_hold", hold_reason="awaiting_vendor")
    assert clock(item, "resolution").stage == Stage.IN_PROGRESS
