"""Rules 5 and 6 of DOMAIN.md §2.3 conflict detection: a change whose CI — or a parent or child
of it, one relationship away — is in an applicable blackout occurrence overlapping the planned
window conflicts with that window; outside the occurrence, or on an unrelated CI, it does not.
Emergency changes are exempt when the window says so."""

from __future__ import annotations

from datetime import timedelta

from serval.changes.models import ChangeConflict, ChangeDetail
from tests.changes.conftest import make_change
from tests.changes.schedule.conftest import make_window, rules
from tests.cmdb.conftest import make_ci


def test_a_global_blackout_over_the_planned_window_conflicts_with_the_change_as_a_whole(
    world, estate
):
    freeze = make_window(world.manager, name="Year-end freeze")
    change = make_change(world.agent)
    assert rules(change) == {("ci_blackout", None, None, freeze.pk)}
    conflict = ChangeConflict.objects.get(change=change)
    detail = ChangeDetail.objects.get(pk=change.pk)
    assert (conflict.starts_at, conflict.ends_at) == (detail.planned_start, detail.planned_end)
    assert detail.conflict_status == "conflicts"


def test_a_blackout_that_ends_before_the_planned_window_is_no_conflict(world, estate):
    start = make_change(world.agent)  # only to learn the default planned window
    detail = ChangeDetail.objects.get(pk=start.pk)
    make_window(
        world.manager,
        starts_at=detail.planned_start - timedelta(days=2),
        ends_at=detail.planned_start,  # ends exactly when the change starts
    )
    change = make_change(world.agent)
    assert rules(change) == set()


def test_a_blackout_on_the_server_conflicts_with_a_change_to_the_server(world, estate):
    freeze = make_window(world.manager, cis=[estate.server.pk])
    change = make_change(world.agent, cis=(estate.server,))
    assert ("ci_blackout", estate.server.pk, None, freeze.pk) in rules(change)


def test_a_blackout_on_the_server_conflicts_with_a_change_to_what_runs_on_it(world, estate):
    freeze = make_window(world.manager, cis=[estate.server.pk])
    change = make_change(world.agent, cis=(estate.db,))  # db runs on the server
    assert rules(change) == {("related_blackout", estate.db.pk, estate.server.pk, freeze.pk)}


def test_a_blackout_on_the_server_leaves_an_unrelated_ci_alone(world, estate):
    make_window(world.manager, cis=[estate.server.pk])
    lonely = make_ci(world.agent, "printer-01")
    change = make_change(world.agent, cis=(lonely,))
    assert rules(change) == set()


def test_a_recurring_blackout_conflicts_only_when_an_occurrence_overlaps(world, estate):
    probe = ChangeDetail.objects.get(pk=make_change(world.agent).pk)
    first = probe.planned_start - timedelta(days=7, hours=1)
    # Weekly, one hour before the change starts, lasting three hours: the occurrence a week
    # later covers the planned window.
    freeze = make_window(
        world.manager,
        starts_at=first,
        ends_at=first + timedelta(hours=3),
        rrule="FREQ=WEEKLY;COUNT=4",
        time_zone="UTC",
    )
    hit = make_change(world.agent)
    assert rules(hit) == {("ci_blackout", None, None, freeze.pk)}
    miss = make_change(
        world.agent,
        planned_start=probe.planned_start + timedelta(days=3),
        planned_end=probe.planned_end + timedelta(days=3),
    )
    assert rules(miss) == set()


def test_an_emergency_change_is_exempt_only_when_the_window_says_so(world, estate):
    make_window(world.manager, name="Exempting freeze", exempt_emergency=True)
    emergency = make_change(world.agent, change_type="emergency")
    assert rules(emergency) == set()
    strict = make_window(world.manager, name="Strict freeze", exempt_emergency=False)
    emergency = make_change(world.agent, change_type="emergency")
    assert rules(emergency) == {("ci_blackout", None, None, strict.pk)}


def test_an_inactive_blackout_applies_to_nothing(world, estate):
    make_window(world.manager, active=False)
    assert rules(make_change(world.agent, cis=(estate.server,))) == set()
