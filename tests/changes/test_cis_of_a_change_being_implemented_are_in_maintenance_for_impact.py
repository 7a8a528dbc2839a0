"""While a change is implemented its CIs are treated as in maintenance (DOMAIN.md §2.3 Implement,
§2.7 "skip CIs in maintenance"): incidents impacting services through them no longer count those
services until the change leaves Implement; the change's own impacted services stay."""

from __future__ import annotations

from serval.changes import actions
from serval.cmdb import impact, worklinks
from serval.work.models import WorkItem
from tests import factories as f
from tests.changes.conftest import make_change
from tests.notifications.conftest import run_queue


def _services(item, user) -> list[str]:
    return sorted(r.service.name for r in worklinks.impacted(item, user))


def test_an_incident_through_a_ci_under_implementation_loses_that_impact_until_review(
    world, estate
):
    incident = f.make_incident(world.agent)
    worklinks.link_ci(actor=world.agent, item=incident, ci=estate.app)
    assert _services(incident, world.agent) == [estate.payroll.name]

    change = make_change(world.agent, cis=(estate.app,), assignment_group=world.team.pk)
    actions.transition_change(actor=world.agent, item=change, to="assess")  # no policy
    assert impact.maintenance_ci_ids([estate.app.pk]) == set()
    actions.transition_change(actor=world.agent, item=change, to="implement")
    assert impact.maintenance_ci_ids([estate.app.pk, estate.db.pk]) == {estate.app.pk}
    run_queue()
    assert _services(incident, world.agent) == []
    assert _services(WorkItem.objects.get(pk=change.pk), world.agent) == [estate.payroll.name]

    actions.transition_change(
        actor=world.agent, item=change, to="review", close_code="successful", close_notes="Ok."
    )
    run_queue()
    assert _services(incident, world.agent) == [estate.payroll.name]
