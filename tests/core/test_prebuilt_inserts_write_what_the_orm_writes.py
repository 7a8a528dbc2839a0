"""Issue 6: the journal events and SLA clocks every create writes go in through INSERTs written
once per process (`serval.core.rawrows.Inserter`) instead of one compiled by the ORM per save, and
a new item's journal is appended without reading its chain head.
The rows must be the ones `save(force_insert=True)` writes, the instances must end up as saved
ones, the save signals are sent, and models with a save() of their own are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models.signals import post_save, pre_save
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
        journal.append(tenant=tenant, subject_type="probe", subject_id=7, verb="v", data={"i": i})
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


def test_models_whose_save_is_their_own_code_are_refused():
    with pytest.raises(TypeError, match="overrides save"):
        Inserter(Tenant)  # its save() writes the tenant's path


def test_save_signals_are_sent_as_the_orm_sends_them():
    heard: list[tuple[str, dict]] = []

    def before(sender: type, instance: JournalEvent, **kwargs: object) -> None:
        heard.append(("pre", {**kwargs, "seq": instance.seq}))
        instance.verb = "changed by a receiver"  # what a receiver sets is written

    def after(sender: type, instance: JournalEvent, **kwargs: object) -> None:
        heard.append(("post", {**kwargs, "pk": instance.pk}))

    pre_save.connect(before, sender=JournalEvent)
    post_save.connect(after, sender=JournalEvent)
    try:
        event = Inserter(JournalEvent)(
            JournalEvent(
                tenant_id=f.make_tenant().pk,
                subject_type="probe",
                subject_id=8,
                seq=1,
                verb="v",
                created_at=timezone.now(),
                prev_hash="0" * 64,
                hash="b" * 64,
            )
        )
    finally:
        pre_save.disconnect(before, sender=JournalEvent)
        post_save.disconnect(after, sender=JournalEvent)
    assert JournalEvent.objects.get(pk=event.pk).verb == "changed by a receiver"
    common = {"raw": False, "using": "default", "update_fields": None}
    assert [(when, {k: v for k, v in kw.items() if k != "signal"}) for when, kw in heard] == [
        ("pre", {**common, "seq": 1}),
        ("post", {**common, "created": True, "pk": event.pk}),
    ]


@pytest.mark.parametrize("run_after", [None, "later"])
def test_an_enqueued_task_row_is_the_one_django_tasks_db_writes(run_after):
    """Serval's task backend writes each task with a prebuilt INSERT; the row must be the one
    django-tasks-db's own `objects.create()` writes, run_after filled by its receiver."""
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend as Upstream
    from django_tasks_db.models import DBTaskResult

    from serval.background.backend import DatabaseBackend
    from serval.sla.tasks import check_sla_clock

    backend = task_backends["default"]
    assert isinstance(backend, DatabaseBackend)
    task = check_sla_clock
    if run_after:
        task = task.using(run_after=timezone.now() + timedelta(hours=2))
    ours = backend.enqueue(task, [41], {})
    theirs = Upstream._task_to_db_task(backend, task, [41], {})
    skip = ("enqueued_at",)
    assert _row(DBTaskResult, ours.id, *skip) == _row(DBTaskResult, theirs.id, *skip)
    row = DBTaskResult.objects.get(id=ours.id)
    assert row.args_kwargs == {"args": [41], "kwargs": {}}
    assert row.task.run_after == task.run_after  # None stays "no run_after" both ways
    assert row.status == "READY" and ours.status == "READY"


def test_a_new_subjects_chain_is_appended_without_reading_its_head(django_assert_num_queries):
    """`journal.new_subject`: inside it, appends to that subject remember the head instead of
    reading it (an incident create's three events); other subjects still read theirs."""
    tenant = f.make_tenant()
    journal.append(tenant=tenant, subject_type="probe", subject_id=11, verb="v")
    with journal.new_subject("probe", 10):
        with django_assert_num_queries(3):  # three INSERTs, no head read
            events = [
                journal.append(tenant=tenant, subject_type="probe", subject_id=10, verb=f"v{i}")
                for i in range(3)
            ]
        with django_assert_num_queries(2):  # another subject: its head read, its INSERT
            other = journal.append(tenant=tenant, subject_type="probe", subject_id=11, verb="w")
    assert [e.seq for e in events] == [1, 2, 3] and other.seq == 2
    assert [e.prev_hash for e in events] == [journal.GENESIS, events[0].hash, events[1].hash]
    after = journal.append(tenant=tenant, subject_type="probe", subject_id=10, verb="later")
    assert (after.seq, after.prev_hash) == (4, events[2].hash)  # outside: read from the table
    assert list(journal.verify("probe", 10)) == [] and list(journal.verify("probe", 11)) == []
