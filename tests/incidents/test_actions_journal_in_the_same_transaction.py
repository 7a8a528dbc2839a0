"""SECURITY-REFERENCE I1 and DESIGN.md rule 1: every action writes its journal events in the same
transaction as the change — a change is never unjournalled, a refused action journals nothing,
and the chain verifies after a whole incident lifecycle."""

from __future__ import annotations

import pytest
from django.db import transaction

from serval.core import journal
from serval.core.errors import DomainError
from serval.core.models import JournalEvent
from serval.incidents import actions as incidents
from serval.work import actions as work
from serval.work.models import WorkItem
from tests import factories as f


def _verbs(inc):
    return list(
        JournalEvent.objects.filter(subject_type="work_item", subject_id=inc.pk)
        .exclude(verb__startswith="sla_")  # clocks journal themselves (DOMAIN.md §2.5)
        .order_by("seq")
        .values_list("verb", flat=True)
    )


def test_a_lifecycle_journals_every_step_and_the_chain_verifies(world):
    inc = f.make_incident(world.agent, caller=world.requester.pk)
    inc = incidents.update_incident(actor=world.agent, item=inc, assignment_group=world.team.pk)
    inc = incidents.transition_incident(actor=world.agent, item=inc, to="in_progress")
    incidents.comment_on_incident(actor=world.agent, item=inc, body="Looking", internal=True)
    work.set_watching(item=inc, actor=world.agent, user=world.agent, watching=True)
    inc = incidents.propose_major(actor=world.agent, item=inc)
    inc = incidents.transition_incident(
        actor=world.agent, item=inc, to="on_hold", hold_reason="awaiting_caller", comment="When?"
    )
    incidents.comment_on_incident(actor=world.requester, item=inc, body="Now.")
    inc = WorkItem.objects.get(pk=inc.pk)
    inc = incidents.transition_incident(
        actor=world.agent, item=inc, to="resolved", close_code="solved_permanently", close_notes="x"
    )
    inc = incidents.transition_incident(actor=world.requester, item=inc, to="closed")
    assert _verbs(inc) == [
        "created",
        "updated",
        "transition",
        "work_note",
        "watcher_added",
        "major_proposed",
        "transition",
        "comment",
        "comment",
        "transition",
        "transition",
        "transition",
    ]
    assert inc.version == len(_verbs(inc)) - 1  # each write bumps once (a hold+comment is one)
    assert list(journal.verify()) == []


REFUSED = [
    (
        "update by requester",
        lambda w, i: incidents.update_incident(actor=w.requester, item=i, title="x"),
    ),
    ("bad field", lambda w, i: incidents.update_incident(actor=w.agent, item=i, impact=9)),
    (
        "stale",
        lambda w, i: incidents.update_incident(
            actor=w.agent, item=i, expected_version=7, title="x"
        ),
    ),
    (
        "missing reason",
        lambda w, i: incidents.transition_incident(actor=w.agent, item=i, to="cancelled"),
    ),
    ("not allowed", lambda w, i: incidents.transition_incident(actor=w.agent, item=i, to="closed")),
    (
        "internal by requester",
        lambda w, i: incidents.comment_on_incident(
            actor=w.requester, item=i, body="x", internal=True
        ),
    ),
    ("major by requester", lambda w, i: incidents.propose_major(actor=w.requester, item=i)),
    (
        "decide without proposal",
        lambda w, i: incidents.decide_major(actor=w.manager, item=i, accept=True),
    ),
    (
        "foreign watcher",
        lambda w, i: work.set_watching(item=i, actor=w.agent, user=w.outsider_agent, watching=True),
    ),
]


@pytest.mark.parametrize("name, act", REFUSED, ids=[n for n, _ in REFUSED])
def test_a_refused_action_writes_no_event_and_no_change(world, name, act):
    inc = f.make_incident(world.agent, caller=world.requester.pk)
    events, version = JournalEvent.objects.count(), inc.version
    with pytest.raises(DomainError):
        act(world, inc)
    assert JournalEvent.objects.count() == events
    assert WorkItem.objects.get(pk=inc.pk).version == version


def test_a_rolled_back_action_leaves_no_event(world):
    """The journal event commits or rolls back with the change: they share one transaction."""
    inc = f.make_incident(world.agent)
    events = JournalEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        incidents.update_incident(actor=world.agent, item=inc, title="Never happened")
        incidents.comment_on_incident(actor=world.agent, item=inc, body="Nor this")
        raise RuntimeError("the surrounding request failed")
    assert JournalEvent.objects.count() == events
    assert WorkItem.objects.get(pk=inc.pk).title == inc.title
