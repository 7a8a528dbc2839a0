"""DOMAIN.md §2.1: "caller reply clears reason and returns to In Progress" — only the caller's
public reply, not an agent's reply nor an internal work note, and only for Awaiting Caller. In
Progress needs a group, so an incident held before anyone took it goes back to New instead."""

from __future__ import annotations

import pytest

from serval.incidents import actions as incidents
from tests import factories as f


def _waiting(world, reason="awaiting_caller"):
    inc = f.make_incident(world.agent, caller=world.requester.pk, assignment_group=world.team.pk)
    return incidents.transition_incident(
        actor=world.agent, item=inc, to="on_hold", hold_reason=reason, comment="Which floor?"
    )


def test_the_callers_public_reply_resumes_work(world):
    inc = _waiting(world)
    incidents.comment_on_incident(actor=world.requester, item=inc, body="Third floor.")
    inc.refresh_from_db()
    assert (inc.state, inc.hold_reason, inc.assignment_group) == ("in_progress", "", world.team)


@pytest.mark.parametrize(
    "who, internal",
    [("agent", False), ("agent", True), ("manager", False), ("requester_same_org", False)],
)
def test_other_replies_leave_it_waiting(world, who, internal):
    inc = _waiting(world)
    incidents.comment_on_incident(actor=getattr(world, who), item=inc, body="+1", internal=internal)
    inc.refresh_from_db()
    assert (inc.state, inc.hold_reason) == ("on_hold", "awaiting_caller")


def test_the_callers_reply_does_not_end_other_hold_reasons(world):
    inc = _waiting(world, "awaiting_vendor")
    incidents.comment_on_incident(actor=world.requester, item=inc, body="Any news?")
    inc.refresh_from_db()
    assert (inc.state, inc.hold_reason) == ("on_hold", "awaiting_vendor")


def test_without_a_group_the_reply_returns_it_to_the_new_queue(world):
    inc = f.make_incident(world.agent, caller=world.requester.pk)
    inc = incidents.transition_incident(
        actor=world.agent, item=inc, to="on_hold", hold_reason="awaiting_caller", comment="Where?"
    )
    incidents.comment_on_incident(actor=world.requester, item=inc, body="Room 12.")
    inc.refresh_from_db()
    assert (inc.state, inc.hold_reason, inc.assignment_group) == ("new", "", None)
