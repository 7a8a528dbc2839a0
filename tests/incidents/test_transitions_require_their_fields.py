"""DOMAIN.md §2.1: each transition's required fields, enforced by `transition_incident`.

Awaiting Caller needs a customer-visible comment, resolving needs a code and notes, cancelling a
reason, starting work a group. A refused transition writes nothing (SECURITY-REFERENCE I1).
"""

from __future__ import annotations

import pytest

from serval.core.errors import TransitionNotAllowed, ValidationFailed
from serval.core.models import JournalEvent
from serval.incidents import actions as incidents
from serval.work.models import WorkItem
from tests import factories as f


def _refused(actor, inc, to, **fields):
    events = JournalEvent.objects.filter(subject_type="work_item", subject_id=inc.pk).count()
    with pytest.raises(ValidationFailed) as exc:
        incidents.transition_incident(actor=actor, item=inc, to=to, **fields)
    after = WorkItem.objects.get(pk=inc.pk)
    assert (after.state, after.version) == (inc.state, inc.version)
    assert (
        JournalEvent.objects.filter(subject_type="work_item", subject_id=inc.pk).count() == events
    )
    return exc.value.as_dict()


def test_starting_work_needs_an_assignment_group(world):
    inc = f.make_incident(world.agent)
    assert "assignment_group" in _refused(world.agent, inc, "in_progress")
    inc = incidents.transition_incident(
        actor=world.agent, item=inc, to="in_progress", assignment_group=world.team.pk
    )
    assert inc.state == "in_progress" and inc.assignment_group == world.team
    assert inc.reassignment_count == 0


def test_awaiting_caller_needs_a_comment_and_other_reasons_do_not(world):
    inc = f.make_incident(world.agent, assignment_group=world.team.pk)
    assert "comment" in _refused(world.agent, inc, "on_hold", hold_reason="awaiting_caller")
    assert "comment" in _refused(
        world.agent, inc, "on_hold", hold_reason="awaiting_caller", comment="   "
    )
    assert "hold_reason" in _refused(world.agent, inc, "on_hold")
    assert "hold_reason" in _refused(world.agent, inc, "on_hold", hold_reason="bored")
    assert "hold_reason" in _refused(world.agent, inc, "on_hold", hold_reason=["awaiting_vendor"])
    held = incidents.transition_incident(
        actor=world.agent, item=inc, to="on_hold", hold_reason="awaiting_vendor"
    )
    assert held.hold_reason == "awaiting_vendor"
    inc = f.make_incident(world.agent, assignment_group=world.team.pk)
    held = incidents.transition_incident(
        actor=world.agent,
        item=inc,
        to="on_hold",
        hold_reason="awaiting_caller",
        comment="Which printer?",
    )
    verbs = list(
        JournalEvent.objects.filter(subject_type="work_item", subject_id=inc.pk)
        .exclude(verb__startswith="sla_")
        .order_by("seq")
        .values_list("verb", "internal")
    )
    assert verbs[-2:] == [("transition", False), ("comment", False)]


def test_resolving_needs_a_known_code_and_real_notes(world):
    inc = f.make_incident(world.agent)
    assert {"close_code", "close_notes"} <= set(_refused(world.agent, inc, "resolved"))
    assert "close_notes" in _refused(
        world.agent, inc, "resolved", close_code="solved_permanently", close_notes="  \n "
    )
    assert "close_code" in _refused(
        world.agent, inc, "resolved", close_code="magic", close_notes="x"
    )
    assert "close_code" in _refused(world.agent, inc, "resolved", close_code=["x"], close_notes="x")
    assert "close_notes" in _refused(
        world.agent, inc, "resolved", close_code="solved_remotely", close_notes=42
    )
    inc = incidents.transition_incident(
        actor=world.agent,
        item=inc,
        to="resolved",
        close_code="solved_remotely",
        close_notes="  Rebooted.  ",
    )
    assert (inc.close_code, inc.close_notes) == ("solved_remotely", "Rebooted.")
    assert inc.resolved_by == world.agent and inc.resolved_at is not None


def test_cancelling_needs_a_reason(world):
    inc = f.make_incident(world.agent)
    assert "cancel_reason" in _refused(world.agent, inc, "cancelled")
    assert "cancel_reason" in _refused(world.agent, inc, "cancelled", cancel_reason="   ")
    inc = incidents.transition_incident(
        actor=world.agent, item=inc, to="cancelled", cancel_reason="Duplicate of INC-1"
    )
    assert inc.cancel_reason == "Duplicate of INC-1" and not inc.active and inc.closed_at


def test_fields_a_transition_does_not_take_are_refused(world):
    inc = f.make_incident(world.agent)
    assert "priority" in _refused(world.agent, inc, "cancelled", cancel_reason="x", priority=1)


def test_reopening_counts_and_clears_the_resolution(world):
    inc = f.make_incident(world.agent, assignment_group=world.team.pk, caller=world.requester.pk)
    for n in (1, 2):
        inc = incidents.transition_incident(
            actor=world.agent,
            item=inc,
            to="resolved",
            close_code="solved_workaround",
            close_notes="x",
        )
        inc = incidents.transition_incident(actor=world.requester, item=inc, to="in_progress")
        assert inc.reopen_count == n
        assert (inc.close_code, inc.close_notes, inc.resolved_at, inc.resolved_by) == (
            "",
            "",
            None,
            None,
        )


def test_only_the_caller_or_an_agent_closes_or_reopens(world):
    inc = f.make_incident(world.agent, assignment_group=world.team.pk, caller=world.requester.pk)
    inc = incidents.transition_incident(
        actor=world.agent, item=inc, to="resolved", close_code="solved_permanently", close_notes="x"
    )
    for target in ("closed", "in_progress"):
        with pytest.raises(TransitionNotAllowed):
            incidents.transition_incident(actor=world.requester_same_org, item=inc, to=target)
    inc = incidents.transition_incident(actor=world.requester, item=inc, to="closed")
    assert inc.state == "closed" and not inc.active


def test_a_requester_reopening_cannot_reroute(world):
    """SECURITY-REFERENCE A8: routing fields are agents' even on a transition requesters fire."""
    inc = f.make_incident(world.agent, assignment_group=world.team.pk, caller=world.requester.pk)
    inc = incidents.transition_incident(
        actor=world.agent, item=inc, to="resolved", close_code="solved_permanently", close_notes="x"
    )
    assert "assignment_group" in _refused(
        world.requester, inc, "in_progress", assignment_group=world.team2.pk
    )


def test_without_a_group_only_an_agent_reopens(world):
    inc = f.make_incident(world.agent, caller=world.requester.pk)
    inc = incidents.transition_incident(
        actor=world.agent, item=inc, to="resolved", close_code="solved_permanently", close_notes="x"
    )
    with pytest.raises(TransitionNotAllowed):
        incidents.transition_incident(actor=world.requester, item=inc, to="in_progress")
    inc = incidents.transition_incident(
        actor=world.agent, item=inc, to="in_progress", assignment_group=world.team2.pk
    )
    assert inc.reopen_count == 1 and inc.assignment_group == world.team2
