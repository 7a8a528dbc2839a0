"""DOMAIN.md §2.1 parent/child: duplicates link to a parent; resolving the parent resolves the
open children; parents stay in the tenant and can never form a loop."""

from __future__ import annotations

import pytest

from serval.core import journal
from serval.core.errors import ValidationFailed
from serval.incidents import actions as incidents
from tests import factories as f


def _resolve(actor, inc):
    return incidents.transition_incident(
        actor=actor, item=inc, to="resolved", close_code="solved_permanently", close_notes="Fixed."
    )


def test_open_children_are_resolved_with_the_parent(world):
    parent = f.make_incident(world.agent, assignment_group=world.team.pk)
    new_child = f.make_incident(world.agent, parent=parent.number)
    held_child = f.make_incident(world.agent, parent=parent.pk, assignment_group=world.team.pk)
    held_child = incidents.transition_incident(
        actor=world.agent, item=held_child, to="on_hold", hold_reason="awaiting_vendor"
    )
    grandchild = f.make_incident(world.agent, parent=new_child.pk)
    cancelled = f.make_incident(world.agent, parent=parent.pk)
    incidents.transition_incident(
        actor=world.agent, item=cancelled, to="cancelled", cancel_reason="duplicate"
    )
    _resolve(world.agent, parent)
    for child in (new_child, held_child, grandchild):
        child.refresh_from_db()
        assert child.state == "resolved" and child.close_code == "resolved_by_parent"
        assert child.hold_reason == "" and child.resolved_at is not None
        assert child.resolved_by == world.agent
    assert parent.number in new_child.close_notes
    cancelled.refresh_from_db()
    assert cancelled.state == "cancelled"
    assert list(journal.verify()) == []


def test_an_incident_cannot_be_its_own_parent_or_make_a_loop(world):
    a = f.make_incident(world.agent)
    b = f.make_incident(world.agent, parent=a.pk)
    c = f.make_incident(world.agent, parent=b.pk)
    for item, parent in ((a, a), (a, c), (a, b), (b, c)):
        with pytest.raises(ValidationFailed) as exc:
            incidents.update_incident(actor=world.agent, item=item, parent=parent.number)
        assert "parent" in exc.value.as_dict()
    a.refresh_from_db()
    assert a.parent_id is None


def test_a_closed_or_unknown_parent_is_refused(world):
    done = f.make_incident(world.agent)
    incidents.transition_incident(actor=world.agent, item=done, to="cancelled", cancel_reason="x")
    for parent in (done.number, "INC-999999", 10**9):
        with pytest.raises(ValidationFailed) as exc:
            f.make_incident(world.agent, parent=parent)
        assert "parent" in exc.value.as_dict()
