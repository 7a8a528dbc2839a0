"""DOMAIN.md §4 and SECURITY-REFERENCE I1: the journal is append-only and tamper-evident."""

import pytest
from django.db import DatabaseError, connection, transaction

from serval.core import journal
from serval.core.models import JournalEvent
from tests import factories as f


def test_a_fresh_chain_verifies(world):
    inc = f.make_incident(world.agent)
    events = JournalEvent.objects.filter(subject_type="work_item", subject_id=inc.pk)
    assert events.exclude(verb__startswith="sla_").count() == 1  # SLA clocks journal too
    assert list(journal.verify()) == []


def test_updates_and_deletes_of_events_are_refused_by_the_database(world):
    set_guards = journal.set_guards
    set_guards(True)
    f.make_incident(world.agent)
    for sql in ("UPDATE core_journalevent SET verb = 'x'", "DELETE FROM core_journalevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)


def test_an_edited_event_breaks_the_chain(world):
    inc = f.make_incident(world.agent)
    journal.append(
        tenant=inc.tenant_id,
        subject_type="work_item",
        subject_id=inc.pk,
        verb="comment",
        actor=world.agent,
        data={"body": "hello"},
    )
    journal.set_guards(False)
    JournalEvent.objects.filter(subject_type="work_item", subject_id=inc.pk, seq=1).update(
        data={"forged": True}
    )
    breaks = list(journal.verify())
    journal.set_guards(True)
    assert len(breaks) == 1 and breaks[0].seq == 1 and "altered" in breaks[0].reason
