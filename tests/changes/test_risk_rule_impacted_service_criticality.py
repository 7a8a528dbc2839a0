"""Rule calculator, criticality of the impacted services (DOMAIN.md §2.3 risk (a), §2.7): a
change impacting a critical service is High, a high-criticality one Moderate, others add
nothing — with the service named in the reason."""

from __future__ import annotations

from serval.cmdb import worklinks
from serval.services import actions as services
from tests.changes.risk_helpers import detail, fresh, make_change


def _service(world, name, criticality):
    return services.create_service(
        actor=world.manager, name=name, status="live", criticality=criticality
    )


def test_a_high_criticality_service_behind_the_ci_makes_it_moderate(world, estate):
    change = make_change(world.agent, cis=(estate.db,))  # db → app → Payroll (high)
    stored = detail(change)
    assert stored.risk == "moderate"
    assert {
        "method": "rule",
        "level": "moderate",
        "text": f"Impacts {estate.payroll.name} (criticality high)",
    } in stored.risk_reasons


def test_a_critical_service_makes_it_high(world):
    change = make_change(world.agent)
    worklinks.link_service(
        actor=world.agent, item=fresh(change), service=_service(world, "Pay", "critical")
    )
    stored = detail(change)
    assert stored.risk == "high"
    assert stored.risk_reasons == [
        {"method": "rule", "level": "high", "text": "Impacts Pay (criticality critical)"}
    ]


def test_medium_and_low_services_add_nothing(world):
    change = make_change(world.agent)
    for name, level in (("Wiki", "medium"), ("Canteen", "low")):
        worklinks.link_service(
            actor=world.agent, item=fresh(change), service=_service(world, name, level)
        )
    assert (detail(change).risk, detail(change).risk_reasons) == ("low", [])


def test_unlinking_the_service_lowers_the_risk_again_while_in_new(world):
    change = make_change(world.agent)
    service = _service(world, "Core", "critical")
    worklinks.link_service(actor=world.agent, item=fresh(change), service=service)
    worklinks.unlink_service(actor=world.agent, item=fresh(change), service=service)
    assert detail(change).risk == "low"
