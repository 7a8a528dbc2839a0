"""DOMAIN.md §2.3: while a change is in Implement its CIs are treated "in maintenance"
(`serval.changes.conflicts.cis_in_maintenance`, for the maintenance-aware impact walk)."""

from __future__ import annotations

from serval.changes import actions
from serval.changes.conflicts import cis_in_maintenance
from serval.work.models import WorkItem
from tests.changes.conftest import make_change, window


def test_only_the_cis_of_changes_in_implement_are_in_maintenance(world, estate):
    change = make_change(
        world.agent, cis=(estate.server, estate.db), assignment_group=world.team.pk
    )
    later = window(days=20)
    make_change(world.agent, cis=(estate.app,), planned_start=later[0], planned_end=later[1])
    ids = [estate.server.pk, estate.db.pk, estate.app.pk]
    assert cis_in_maintenance(ids) == set()
    actions.transition_change(actor=world.agent, item=change, to="assess")  # no policy: scheduled
    actions.transition_change(
        actor=world.agent, item=WorkItem.objects.get(pk=change.pk), to="implement"
    )
    assert cis_in_maintenance(ids) == {estate.server.pk, estate.db.pk}
    assert cis_in_maintenance([]) == set()
    actions.transition_change(
        actor=world.agent,
        item=WorkItem.objects.get(pk=change.pk),
        to="review",
        close_code="successful",
        close_notes="Done.",
    )
    assert cis_in_maintenance(ids) == set()
