"""A window created, changed, switched off or deleted after changes were planned re-checks the
changes on the schedule in its span (DOMAIN.md §2.3 conflict detection: stored conflicts stay
true), through the `refresh_changes` task; the risk follows the stored conflicts."""

from __future__ import annotations

from datetime import timedelta

from serval.changes import windows
from serval.changes.models import ChangeDetail, ChangeWindow
from serval.core.models import JournalEvent
from tests.changes.conftest import make_change
from tests.changes.schedule.conftest import make_window, rules, window
from tests.notifications.conftest import run_queue


def test_a_blackout_added_later_flags_the_change_planned_in_it(world, estate):
    change = make_change(world.agent, cis=(estate.server,))
    assert rules(change) == set()
    freeze = make_window(world.manager, cis=[estate.server.pk])
    run_queue()
    assert rules(change) == {("ci_blackout", estate.server.pk, None, freeze.pk)}
    assert ChangeDetail.objects.get(pk=change.pk).conflict_status == "conflicts"


def test_moving_a_blackout_away_clears_the_conflict(world, estate):
    freeze = make_window(world.manager, cis=[estate.server.pk])
    change = make_change(world.agent, cis=(estate.server,))
    assert rules(change)
    windows.update_window(
        actor=world.manager,
        window=freeze,
        expected_version=freeze.version,
        starts_at=freeze.starts_at + timedelta(days=30),
        ends_at=freeze.ends_at + timedelta(days=30),
    )
    run_queue()
    assert rules(change) == set()
    assert ChangeDetail.objects.get(pk=change.pk).conflict_status == "clear"


def test_switching_a_window_off_and_deleting_it_clear_its_conflicts(world, estate):
    start, _end = window()
    slot_start = start.replace(hour=2) + timedelta(days=1)
    slot = make_window(
        world.manager,
        kind="maintenance",
        starts_at=slot_start,
        ends_at=slot_start + timedelta(hours=4),
        cis=[estate.server.pk],
    )
    change = make_change(world.agent, cis=(estate.server,))
    assert "Planned outside a maintenance window" in [
        r["text"] for r in ChangeDetail.objects.get(pk=change.pk).risk_reasons
    ]
    windows.activate_window(actor=world.manager, window=slot, active=False)
    run_queue()
    assert rules(change) == set()
    detail = ChangeDetail.objects.get(pk=change.pk)
    assert "Planned outside a maintenance window" not in [r["text"] for r in detail.risk_reasons]

    windows.activate_window(
        actor=world.manager, window=ChangeWindow.objects.get(pk=slot.pk), active=True
    )
    run_queue()
    assert rules(change)
    windows.delete_window(actor=world.manager, window=ChangeWindow.objects.get(pk=slot.pk))
    run_queue()
    assert rules(change) == set()
    assert ChangeDetail.objects.get(pk=change.pk).conflict_status == "clear"
    verbs = list(
        JournalEvent.objects.filter(subject_type="change_window", subject_id=slot.pk).values_list(
            "verb", flat=True
        )
    )
    assert verbs == ["created", "updated", "updated", "deleted"]
