"""Rule calculator, outside a maintenance window (DOMAIN.md §2.3 risk (a)): read from the stored
conflicts (rules 3 and 4 of conflict detection), so the risk says the same as the conflicts card:
a stored "outside its maintenance window" conflict, for the CI or a parent/child, is Moderate."""

from __future__ import annotations

import pytest
from django.db import transaction

from serval.changes import risk
from serval.changes.models import ChangeConflict, ChangeWindow
from tests.changes.conftest import window
from tests.changes.risk_helpers import detail, fresh, make_change
from tests.cmdb.conftest import make_ci


@pytest.mark.parametrize("rule", ["ci_outside_maintenance", "related_outside_maintenance"])
def test_a_stored_outside_maintenance_conflict_makes_it_moderate(world, rule):
    server = make_ci(world.agent, "srv-mw", criticality="low")
    change = make_change(world.agent, cis=(server,))
    start, end = window()
    slot = ChangeWindow.objects.create(
        tenant=world.tenant,
        kind="maintenance",
        name="Sunday night",
        starts_at=start,
        ends_at=end,
        is_global=True,
    )
    with transaction.atomic():
        ChangeConflict.objects.create(
            tenant=world.tenant, change=change, rule=rule, ci=server, window=slot
        )
        risk.recalculate(item=fresh(change), detail=detail(change), actor=world.agent)
    assert detail(change).risk_reasons == [
        {"method": "rule", "level": "moderate", "text": "Planned outside a maintenance window"}
    ]


def test_other_conflicts_are_not_this_rule(world):
    change = make_change(world.agent, cis=(make_ci(world.agent, "srv-x", criticality="low"),))
    with transaction.atomic():
        ChangeConflict.objects.create(
            tenant=world.tenant, change=change, rule="assignee_busy", user=world.agent
        )
        risk.recalculate(item=fresh(change), detail=detail(change), actor=world.agent)
    assert detail(change).risk_reasons == []
