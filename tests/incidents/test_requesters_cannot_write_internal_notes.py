"""DOMAIN.md §2.1 public comments vs internal work notes; SECURITY-REFERENCE A4: internal notes
are agents' only, and the journal marks them internal."""

from __future__ import annotations

import pytest

from serval.core.errors import PermissionDenied, ValidationFailed
from serval.core.models import JournalEvent
from serval.incidents import actions as incidents
from tests import factories as f


def _events(inc):
    return JournalEvent.objects.filter(subject_type="work_item", subject_id=inc.pk).exclude(
        verb__startswith="sla_"  # SLA clocks journal themselves (DOMAIN.md §2.5)
    )


@pytest.mark.parametrize("who", ["requester", "requester_same_org"])
def test_a_requester_cannot_add_an_internal_note(world, who):
    inc = f.make_incident(world.requester)
    before = _events(inc).count()
    with pytest.raises(PermissionDenied):
        incidents.comment_on_incident(actor=getattr(world, who), item=inc, body="x", internal=True)
    assert _events(inc).count() == before


def test_agents_write_notes_marked_internal_and_comments_marked_public(world):
    inc = f.make_incident(world.requester)
    incidents.comment_on_incident(actor=world.agent, item=inc, body="check DNS", internal=True)
    incidents.comment_on_incident(actor=world.requester, item=inc, body="still broken")
    rows = list(_events(inc).order_by("seq").values_list("verb", "internal", "data"))
    assert rows[1:] == [
        ("work_note", True, {"body": "check DNS"}),
        ("comment", False, {"body": "still broken"}),
    ]


@pytest.mark.parametrize("body", ["", "   ", None, 5, "x" * 20001])
def test_empty_or_oversized_comments_are_refused(world, body):
    inc = f.make_incident(world.agent)
    before = _events(inc).count()
    with pytest.raises(ValidationFailed):
        incidents.comment_on_incident(actor=world.agent, item=inc, body=body)
    assert _events(inc).count() == before


def test_requesters_cannot_comment_on_a_closed_incident(world):
    inc = f.make_incident(world.requester)
    inc = incidents.transition_incident(
        actor=world.agent, item=inc, to="cancelled", cancel_reason="duplicate"
    )
    with pytest.raises(PermissionDenied):
        incidents.comment_on_incident(actor=world.requester, item=inc, body="why?")
