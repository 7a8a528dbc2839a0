"""Rule calculator, number of impacted services (DOMAIN.md §2.3 risk (a)): impacting at least the
policy's "many services" makes a change Moderate, twice as many High; 0 turns the rule off."""

from __future__ import annotations

from serval.changes import questionnaire
from serval.cmdb import worklinks
from serval.services import actions as services
from tests.changes.risk_helpers import detail, fresh, make_change


def _link(world, change, count):
    for n in range(count):
        service = services.create_service(
            actor=world.manager, name=f"Svc {change.pk}-{n}", status="live", criticality="low"
        )
        worklinks.link_service(actor=world.agent, item=fresh(change), service=service)


def test_many_services_make_it_moderate_and_twice_as_many_high(world):
    questionnaire.update_policy(actor=world.admin, many_services=2)
    one, two, four = make_change(world.agent), make_change(world.agent), make_change(world.agent)
    _link(world, one, 1)
    _link(world, two, 2)
    _link(world, four, 4)
    assert detail(one).risk == "low"
    assert detail(two).risk_reasons == [
        {"method": "rule", "level": "moderate", "text": "Impacts 2 services"}
    ]
    assert detail(four).risk == "high"


def test_zero_turns_the_rule_off(world):
    questionnaire.update_policy(actor=world.admin, many_services=0)
    change = make_change(world.agent)
    _link(world, change, 3)
    assert detail(change).risk == "low"
