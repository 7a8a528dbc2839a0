"""Asset records are agents' data (DOMAIN.md §2.8): the upcoming-dates API shows a requester of
the same tenant nothing — no asset, contract or software version title — as the page is 404."""

from __future__ import annotations

from serval.assets import actions as assets
from tests.assets.conftest import days


def test_a_requester_gets_no_upcoming_dates_while_an_agent_of_the_tenant_does(world, api_as):
    assets.create_asset(
        actor=world.agent, name="Rack server", asset_tag="A-1", warranty_end=days(25)
    )
    assets.create_contract(actor=world.agent, name="Care pack", vendor="HPE", end_date=days(60))
    seen = api_as(world.agent).get("assets/reminders?within=365").json()["items"]
    assert {i["kind"] for i in seen} >= {"warranty_end", "contract_end"}
    response = api_as(world.requester).get("assets/reminders?within=365")
    assert response.status_code == 200
    assert response.json() == {"items": [], "next": None}
