"""Issue 6: the journal events and SLA clocks every create writes go in through INSERTs written
once per process (`serval.core.rawrows.Inserter`) instead of one compiled by the ORM per save.
The rows must be the ones `save(force_insert=True)` writes, the instances must end up as saved
ones, and models whose saving runs code of their own are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models.signals import post_save
from django.utils import timezone

from serval.core import journal
from serval.core.models import JournalEvent, Tenant
from serval.core.rawrows import Inserter
from serval.sla.models import SlaClock
from tests import factories as f

pytestmark = pytest.mark.django_db


def _row(model: type, pk: int, *skip: str) -> dict:
    row = model.objects.filter(pk=pk).values().get()
    return {k: v for k, v in row.items() if k not in ("id", *skip)}


def test_a_journal_event_row_is_the_one_the_orm_writes():
    tenant = f.make_tenant()
    agent = f.make_user("agent", tenant)
    at = timezone.now().replace(microsecond=123456)
    fields = dict(
        tenant_id=tenant.pk,
        subject_type="incident",
        actor_id=agent.pk,
        verb="comment",
        data={"body": 'Ünïcode and "quotes"', "n": [1, 2.5, None, True]},
        internal=True,
        created_at=at,
        prev_hash="0" * 64,
        hash="a" * 64,
        seq=1,
    )
    by_orm = JournalEvent(subject_id=900001, **fields)
    by_orm.save(force_insert=True)
    prebuilt = Inserter(JournalEvent)(JournalEvent(subject_id=900002, **fields))
    assert prebuilt.pk is not None and prebuilt.pk != by_orm.pk
    assert not prebuilt._state.adding and prebuilt._state.db == "default"
    assert _row(JournalEvent, prebuilt.pk, "subject_id") == _row(
        JournalEvent, by_orm.pk, "subject_id"
    )
    assert JournalEvent.objects.get(pk=prebuilt.pk).data == fields["data"]


def test_appended_chains_verify_and_read_their_head():
    tenant = f.make_tenant()
    events = [
        journal.append(
            tenant=tenant, subject_type="probe", subject_id=7, verb="v", data={"i": i}, first=i == 0
        )
        for i in range(4)
    ]
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert list(journal.verify("probe", 7)) == []


def test_a_clock_row_is_the_one_the_orm_writes_and_saves_again_as_an_update(world):
    from serval.sla.models import BusinessCalendar, SlaDefinition
    from serval.sla.seed import seed

    seed(f.root_tenant(), BusinessCalendar, SlaDefinition)  # a flush may have taken it
    inc = f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
    template = SlaClock.objects.filter(work_item=inc).first()
    assert template is not None, "the default SLA starts a clock on a new incident"
    now = timezone.now()

    def copy(cycle: int) -> SlaClock:
        clock = SlaClock.objects.get(pk=template.pk)
        clock.pk, clock._state.adding, clock.cycle = None, True, cycle
        clock.breach_at = now + timedelta(hours=4)
        return clock

    by_orm = copy(50)
    by_orm.save(force_insert=True)
    prebuilt = Inserter(SlaClock)(copy(51))
    assert _row(SlaClock, prebuilt.pk, "cycle") == _row(SlaClock, by_orm.pk, "cycle")
    prebuilt.warned_level = 50
    prebuilt.save()  # an UPDATE of the same row, not a second insert
    assert SlaClock.objects.filter(work_item=inc, cycle=51).count() == 1
    assert SlaClock.objects.get(pk=prebuilt.pk).warned_level == 50


def test_models_whose_saving_runs_their_own_code_are_refused():
    with pytest.raises(TypeError, match="overrides save"):
        Inserter(Tenant)  # its save() writes the tenant's path

    def listener(**kwargs: object) -> None:
        pass

    post_save.connect(listener, sender=JournalEvent)
    try:
        inserter = Inserter(JournalEvent)
        event = JournalEvent(
            tenant_id=f.make_tenant().pk,
            subject_type="probe",
            subject_id=8,
            seq=1,
            verb="v",
            created_at=timezone.now(),
            prev_hash="0" * 64,
            hash="b" * 64,
        )
        with pytest.raises(TypeError, match="signal receivers"):
            inserter(event)
    finally:
        post_save.disconnect(listener, sender=JournalEvent)
