"""Rule calculator, lead time (DOMAIN.md §2.3 risk (a) "lead time below policy"): a normal change
planned to start sooner after it was raised than the policy's lead time is Moderate; exactly the
lead time is enough; standard changes (pre-authorized) and changes without a window are exempt."""

from __future__ import annotations

from datetime import timedelta

from serval.changes import actions
from tests.changes.risk_helpers import detail, fresh, make_change


def _plan(world, change, hours_after_raised):
    item = fresh(change)
    start = item.opened_at + timedelta(hours=hours_after_raised)
    actions.update_change(
        actor=world.agent, item=item, planned_start=start, planned_end=start + timedelta(hours=1)
    )


def test_short_notice_is_moderate_with_the_hours_in_the_reason(world):
    change = make_change(world.agent)
    _plan(world, change, 10)
    assert detail(change).risk_reasons == [
        {"method": "rule", "level": "moderate", "text": "Lead time 10 h is below the 72 h policy"}
    ]


def test_exactly_the_lead_time_is_enough(world):
    change = make_change(world.agent)
    _plan(world, change, 72)
    assert detail(change).risk == "low"
    _plan(world, change, 71.99)
    assert detail(change).risk == "moderate"


def test_a_start_in_the_past_counts_as_zero_hours(world):
    change = make_change(world.agent)
    _plan(world, change, -5)
    assert "Lead time 0 h" in detail(change).risk_reasons[0]["text"]


def test_no_planned_window_no_lead_time_reason(world):
    change = actions.create_change(actor=world.agent, title="Sometime")
    assert detail(change).risk_reasons == []
