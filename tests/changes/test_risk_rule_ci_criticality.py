"""Rule calculator, criticality of the affected CIs themselves (DOMAIN.md §2.3 risk (a)
"CI/service criticality"): a critical CI makes a change High, a high one Moderate."""

from __future__ import annotations

from tests.changes.risk_helpers import detail, make_change
from tests.cmdb.conftest import make_ci


def test_a_critical_ci_makes_it_high_and_a_high_one_moderate(world):
    core = make_ci(world.agent, "core-sw-01", criticality="critical")
    edge = make_ci(world.agent, "edge-sw-01", criticality="high")
    plain = make_ci(world.agent, "lab-01", criticality="low")
    assert detail(make_change(world.agent, cis=(core,))).risk_reasons == [
        {"method": "rule", "level": "high", "text": "Changes core-sw-01 (criticality critical)"}
    ]
    assert detail(make_change(world.agent, cis=(edge,))).risk == "moderate"
    assert detail(make_change(world.agent, cis=(plain,))).risk == "low"


def test_each_critical_ci_is_its_own_reason(world):
    a = make_ci(world.agent, "db-a", criticality="critical")
    b = make_ci(world.agent, "db-b", criticality="high")
    texts = [r["text"] for r in detail(make_change(world.agent, cis=(a, b))).risk_reasons]
    assert texts == ["Changes db-a (criticality critical)", "Changes db-b (criticality high)"]
