"""Rules 1, 2 and 7 of DOMAIN.md §2.3 conflict detection, the negative side (the positive side
is in tests/changes/test_scheduling_over_conflicts_needs_a_change_managers_override.py): changes
on the same CI, a related CI or with the same assignee do not clash when their planned windows
only touch or are apart, and changes on unrelated CIs never clash."""

from __future__ import annotations

from serval.changes.models import ChangeDetail
from tests.changes.conftest import make_change
from tests.changes.schedule.conftest import rules, window
from tests.cmdb.conftest import make_ci


def test_back_to_back_changes_on_the_same_server_do_not_clash(world, estate):
    first = make_change(world.agent, cis=(estate.server,))
    end = ChangeDetail.objects.get(pk=first.pk).planned_end
    second = make_change(
        world.agent, cis=(estate.server,), planned_start=end, planned_end=end.replace(hour=2)
    )
    assert rules(second) == set()


def test_a_related_ci_changed_another_day_does_not_clash(world, estate):
    make_change(world.agent, cis=(estate.server,))
    later = window(days=12)
    other = make_change(world.agent, cis=(estate.db,), planned_start=later[0], planned_end=later[1])
    assert rules(other) == set()


def test_changes_on_unrelated_cis_at_the_same_time_do_not_clash(world, estate):
    make_change(world.agent, cis=(estate.server,))
    printer = make_ci(world.agent, "printer-02")
    assert rules(make_change(world.agent, cis=(printer,))) == set()


def test_the_same_assignee_on_another_day_is_not_double_booked(world, estate):
    make_change(world.agent, assignment_group=world.team.pk, assignee=world.agent.pk)
    later = window(days=15)
    second = make_change(
        world.agent,
        assignment_group=world.team.pk,
        assignee=world.agent.pk,
        planned_start=later[0],
        planned_end=later[1],
    )
    assert rules(second) == set()
