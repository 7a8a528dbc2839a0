"""Two approvers deciding the same step at the same instant (DESIGN.md rule 6, concurrency is
explicit): each decision takes the change's row lock before it reads the approval again, so the
decisions are serialised. With "any one", the second finds its approval no longer needed and
the change moves on once; with "all", both count and the second completes the step.

A real two-connection test on PostgreSQL: a third connection holds the change's row lock, both
deciders start and block on it (seen in pg_stat_activity, a condition, not a sleep), then the
lock is released. SQLite serialises every writer at BEGIN IMMEDIATE, so it has no such race;
the test is skipped there."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections, transaction

from serval.approvals import engine
from serval.approvals.models import Approval, ApprovalStep
from serval.core.errors import ValidationFailed
from serval.core.models import JournalEvent
from serval.work.models import WorkItem
from tests.approvals.conftest import make_change, make_policy, step, submit

WAIT_LIMIT = 60  # seconds: only a safety net; the test proceeds as soon as the condition holds


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def _race(change: WorkItem, deciders: list[Any]) -> dict[str, str]:
    held, release = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    def hold() -> None:
        try:
            with transaction.atomic():
                WorkItem.objects.select_for_update().get(pk=change.pk)
                held.set()
                release.wait(WAIT_LIMIT)
        finally:
            connections.close_all()

    def decide(user: Any) -> None:
        try:
            approval = Approval.objects.get(work_item=change, approver=user)
            engine.decide(actor=user, approval=approval, approve=True)
            outcome[user.username] = "decided"
        except ValidationFailed as exc:
            outcome[user.username] = "closed" if "approval" in exc.as_dict() else str(exc)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcome[user.username] = f"error: {exc!r}"
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(WAIT_LIMIT)
    threads = [threading.Thread(target=decide, args=(u,)) for u in deciders]
    for t in threads:
        t.start()
    deadline = time.monotonic() + WAIT_LIMIT
    while _waiting_on_locks() < len(deciders):
        assert time.monotonic() < deadline, "the deciders never reached the lock"
        time.sleep(0.01)
    release.set()
    for t in (holder, *threads):
        t.join(WAIT_LIMIT)
    return outcome


def _moves_to_scheduled(change: WorkItem) -> int:
    return sum(
        1
        for e in JournalEvent.objects.filter(
            subject_type="work_item", subject_id=change.pk, verb="transition"
        )
        if e.data.get("to") == "scheduled"
    )


@pytest.fixture
def postgres_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE: no concurrent decisions")


def test_any_one_the_step_finishes_once(postgres_only, world, estate):
    make_policy(world, step(users=[world.agent2.pk, world.manager.pk], mode="any"))
    change = submit(world.agent, make_change(world.agent))
    outcome = _race(change, [world.agent2, world.manager])
    assert sorted(outcome.values()) == ["closed", "decided"], outcome
    states = sorted(Approval.objects.filter(work_item=change).values_list("state", flat=True))
    assert states == ["approved", "not_required"]
    assert ApprovalStep.objects.get(round__work_item=change).state == "approved"
    assert WorkItem.objects.get(pk=change.pk).state == "scheduled"
    assert _moves_to_scheduled(change) == 1


def test_all_both_count_and_the_second_completes(postgres_only, world, estate):
    make_policy(world, step(users=[world.agent2.pk, world.manager.pk], mode="all"))
    change = submit(world.agent, make_change(world.agent))
    outcome = _race(change, [world.agent2, world.manager])
    assert outcome == {"bob": "decided", "mona": "decided"}
    states = sorted(Approval.objects.filter(work_item=change).values_list("state", flat=True))
    assert states == ["approved", "approved"]
    assert WorkItem.objects.get(pk=change.pk).state == "scheduled"
    assert _moves_to_scheduled(change) == 1
