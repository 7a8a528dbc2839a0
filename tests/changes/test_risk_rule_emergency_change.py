"""Rule calculator, emergency changes (DOMAIN.md §2.3): an emergency change is at least Moderate —
it skips the usual lead time and assessment — and the lead-time rule does not also apply."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from serval.changes import actions
from tests.changes.risk_helpers import detail


def test_an_emergency_change_is_moderate_for_being_one(world):
    start = timezone.now() + timedelta(hours=1)
    change = actions.create_change(
        actor=world.agent,
        title="Block the port",
        change_type="emergency",
        justification="Exploited.",
        planned_start=start,
        planned_end=start + timedelta(hours=1),
    )
    assert detail(change).risk_reasons == [
        {"method": "rule", "level": "moderate", "text": "Emergency change"}
    ]


def test_switching_a_new_change_to_emergency_raises_its_risk(world):
    change = actions.create_change(actor=world.agent, title="Patch")
    assert detail(change).risk == "low"
    actions.update_change(actor=world.agent, item=change, change_type="emergency")
    assert detail(change).risk == "moderate"
