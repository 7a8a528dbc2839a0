"""Rules 3 and 4 of DOMAIN.md §2.3 conflict detection: when maintenance windows apply to a CI
(or to a parent or child of it), the planned window must lie inside one occurrence of one of
them; a change inside one is clear, and the risk calculator reads the stored conflict."""

from __future__ import annotations

from datetime import timedelta

from serval.changes.models import ChangeDetail
from tests.changes.conftest import make_change
from tests.changes.schedule.conftest import make_window, rules, window


def _sunday_slot():
    """A maintenance slot the night after the planned 22:00–00:00 change: 02:00–06:00.

    A maintenance window binds until its last occurrence has ended, so this one binds the
    change planned before it."""
    start, _end = window()
    slot = start.replace(hour=2) + timedelta(days=1)
    return slot, slot + timedelta(hours=4)


def test_a_change_to_the_server_outside_its_maintenance_window_conflicts(world, estate):
    a, b = _sunday_slot()
    slot = make_window(
        world.manager, kind="maintenance", starts_at=a, ends_at=b, cis=[estate.server.pk]
    )
    change = make_change(world.agent, cis=(estate.server,))
    assert rules(change) == {("ci_outside_maintenance", estate.server.pk, None, slot.pk)}
    reasons = [r["text"] for r in ChangeDetail.objects.get(pk=change.pk).risk_reasons]
    assert "Planned outside a maintenance window" in reasons


def test_a_change_inside_an_occurrence_of_the_maintenance_window_is_clear(world, estate):
    a, b = _sunday_slot()
    make_window(world.manager, kind="maintenance", starts_at=a, ends_at=b, cis=[estate.server.pk])
    change = make_change(
        world.agent,
        cis=(estate.server,),
        planned_start=a + timedelta(hours=1),
        planned_end=b - timedelta(hours=1),
    )
    assert rules(change) == set()
    assert ChangeDetail.objects.get(pk=change.pk).conflict_status == "clear"


def test_a_change_straddling_the_end_of_an_occurrence_is_outside_it(world, estate):
    a, b = _sunday_slot()
    slot = make_window(
        world.manager, kind="maintenance", starts_at=a, ends_at=b, cis=[estate.server.pk]
    )
    change = make_change(
        world.agent,
        cis=(estate.server,),
        planned_start=b - timedelta(hours=1),
        planned_end=b + timedelta(hours=1),
    )
    assert rules(change) == {("ci_outside_maintenance", estate.server.pk, None, slot.pk)}


def test_a_change_to_what_runs_on_the_server_outside_the_servers_window_conflicts(world, estate):
    a, b = _sunday_slot()
    slot = make_window(
        world.manager, kind="maintenance", starts_at=a, ends_at=b, cis=[estate.server.pk]
    )
    change = make_change(world.agent, cis=(estate.db,))
    assert rules(change) == {
        ("related_outside_maintenance", estate.db.pk, estate.server.pk, slot.pk)
    }
    inside = make_change(world.agent, cis=(estate.db,), planned_start=a, planned_end=b)
    assert rules(inside) == set()


def test_a_ci_without_maintenance_windows_is_never_outside_one(world, estate):
    a, b = _sunday_slot()
    make_window(world.manager, kind="maintenance", starts_at=a, ends_at=b, cis=[estate.app.pk])
    # The server is two relationships away from the app: neither its own nor a neighbour's.
    assert rules(make_change(world.agent, cis=(estate.server,))) == set()


def test_a_global_maintenance_window_binds_the_change_as_a_whole(world, estate):
    a, b = _sunday_slot()
    slot = make_window(world.manager, kind="maintenance", starts_at=a, ends_at=b)
    assert rules(make_change(world.agent)) == {("ci_outside_maintenance", None, None, slot.pk)}
    assert rules(make_change(world.agent, planned_start=a, planned_end=b)) == set()


def test_a_maintenance_window_whose_last_occurrence_ended_binds_nothing(world, estate):
    a, b = _sunday_slot()
    make_window(
        world.manager,
        kind="maintenance",
        starts_at=a - timedelta(days=3),
        ends_at=b - timedelta(days=3),
        cis=[estate.server.pk],
    )
    assert rules(make_change(world.agent, cis=(estate.server,))) == set()


def test_emergency_changes_are_exempt_from_an_exempting_maintenance_window(world, estate):
    a, b = _sunday_slot()
    make_window(world.manager, kind="maintenance", starts_at=a, ends_at=b, cis=[estate.server.pk])
    emergency = make_change(world.agent, change_type="emergency", cis=(estate.server,))
    assert rules(emergency) == set()
