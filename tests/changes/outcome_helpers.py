"""A small history of implemented changes for the outcome-report tests (DOMAIN.md §2.12)."""

from __future__ import annotations

from dataclasses import dataclass

from serval.changes import actions
from serval.work.models import WorkItem
from tests.changes.risk_helpers import closed, implemented, incident, link_caused, make_change


@dataclass
class History:
    ok: WorkItem
    issues: WorkItem
    failed: WorkItem
    emergency: WorkItem


def build_history(world, estate) -> History:
    """Four implemented changes of the tenant, plus a cancelled one, a draft and another
    tenant's, which the report must leave out.

    ok: normal, Service Desk, on Payroll's database, closed Successful
    issues: normal, Network, closed Successful with issues
    failed: normal, Service Desk, closed Unsuccessful
    emergency: emergency, Service Desk, in Review, Successful — but it caused an incident
    """
    desk, network = world.team.pk, world.team2.pk
    ok = closed(world.agent, make_change(world.agent, cis=(estate.db,), assignment_group=desk))
    issues = closed(
        world.agent, make_change(world.agent, assignment_group=network), "successful_issues"
    )
    failed = closed(world.agent, make_change(world.agent, assignment_group=desk), "unsuccessful")
    emergency = implemented(
        world.agent, make_change(world.agent, change_type="emergency", assignment_group=desk)
    )
    link_caused(world.agent, incident(world.agent), emergency)
    cancelled = make_change(world.agent)
    actions.transition_change(
        actor=world.agent, item=cancelled, to="cancelled", cancel_reason="Not needed."
    )
    make_change(world.agent)  # a draft
    theirs = make_change(world.outsider_agent, assignment_group=world.outsider_team.pk)
    implemented(world.outsider_agent, theirs, "unsuccessful")
    return History(ok, issues, failed, emergency)
