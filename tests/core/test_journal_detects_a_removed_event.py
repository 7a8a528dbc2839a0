"""SECURITY-REFERENCE I1 and §7: the journal chain per work item is gap-free and hash-linked, so
removing an event from the middle of a chain (possible only with the guards dropped, as a DB
superuser could) is found by `verify`, which names the first broken seq."""

from __future__ import annotations

from serval.core import journal
from serval.core.models import JournalEvent
from serval.incidents import actions as incidents
from tests import factories as f


def test_a_deleted_middle_event_is_reported_as_a_seq_gap(world):
    inc = f.make_incident(world.agent)
    for body in ("one", "two", "three"):
        incidents.comment_on_incident(actor=world.agent, item=inc, body=body)
    untouched = f.make_incident(world.agent)
    assert list(journal.verify()) == []
    journal.set_guards(False)
    try:
        JournalEvent.objects.filter(subject_type="work_item", subject_id=inc.pk, seq=3).delete()
    finally:
        journal.set_guards(True)
    breaks = list(journal.verify())
    assert [(b.subject, b.seq) for b in breaks] == [(f"work_item:{inc.pk}", 4)]
    assert "removed" in breaks[0].reason
    assert list(journal.verify("work_item", untouched.pk)) == []


def test_a_reordered_chain_is_detected(world):
    """Swapping two events' seq keeps the numbers gap-free but breaks the hash links."""
    inc = f.make_incident(world.agent)
    incidents.comment_on_incident(actor=world.agent, item=inc, body="first")
    incidents.comment_on_incident(actor=world.agent, item=inc, body="second")
    events = JournalEvent.objects.filter(subject_type="work_item", subject_id=inc.pk)
    journal.set_guards(False)
    try:
        events.filter(seq=2).update(seq=99)
        events.filter(seq=3).update(seq=2)
        events.filter(seq=99).update(seq=3)
    finally:
        journal.set_guards(True)
    breaks = list(journal.verify("work_item", inc.pk))
    assert len(breaks) == 1 and breaks[0].seq == 2


def test_a_forged_event_appended_with_a_wrong_prev_hash_is_detected(world):
    inc = f.make_incident(world.agent)
    head = JournalEvent.objects.filter(subject_type="work_item", subject_id=inc.pk).last()
    forged = JournalEvent(
        tenant_id=head.tenant_id,
        subject_type="work_item",
        subject_id=inc.pk,
        seq=head.seq + 1,
        verb="comment",
        data={"body": "I was never here"},
        created_at=head.created_at,
        prev_hash="f" * 64,
    )
    forged.hash = journal._digest(forged)
    forged.save(force_insert=True)
    breaks = list(journal.verify("work_item", inc.pk))
    assert [(b.seq, b.reason) for b in breaks] == [
        (head.seq + 1, "prev_hash does not match the previous event")
    ]
