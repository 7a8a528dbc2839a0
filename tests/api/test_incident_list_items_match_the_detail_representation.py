"""A list item is exactly the incident's detail representation (DESIGN.md §4, one IncidentOut).

The list is served from plain rows for speed (benchmarks/README.md, issue 6), so this pins it to
the detail endpoint field for field: nested people and refs, nulls, timestamps, the major block
(also when an incident has no detail row), the caller-specific transitions (DOMAIN.md §2.1) and
the impacted services each caller may see (DOMAIN.md §2.7).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from serval.cmdb import worklinks
from serval.incidents import actions
from serval.incidents.models import IncidentDetail
from tests import factories as f
from tests.cmdb import incident_estate


def _varied_incidents(world) -> None:
    world.agent.first_name, world.agent.last_name = "Alice", "Liddell"
    world.agent.save()
    world.agent2.first_name = "Bob"
    world.agent2.save()
    e = incident_estate.build(world)
    plain = f.make_incident(world.requester, title="Printer jam")
    routed = f.make_incident(
        world.agent,
        title="VPN drops",
        assignment_group=world.team.pk,
        assignee="alice",
        caller=world.requester.username,
        service="VPN",
        category="network",
        impact=1,
        urgency=2,
        due_date=timezone.now() + timedelta(days=2, microseconds=123456),
    )
    f.make_incident(world.agent, title="Child", parent=routed.number, caller="rita")
    worklinks.link_ci(actor=world.agent, item=routed, ci=e.db)
    worklinks.link_service(actor=world.agent, item=routed, service=e.lab)
    actions.propose_major(actor=world.agent, item=routed, business_impact="Payroll is down")
    actions.decide_major(actor=world.manager, item=routed, accept=True)
    resolved = f.make_incident(
        world.agent, title="Disk full", assignment_group=world.team2.pk, caller="rita"
    )
    actions.transition_incident(actor=world.agent, item=resolved, to="in_progress", comment="on it")
    actions.transition_incident(
        actor=world.agent2,
        item=resolved,
        to="resolved",
        close_code="solved_permanently",
        close_notes="Cleaned up",
    )
    IncidentDetail.objects.filter(work_item=plain).delete()


@pytest.mark.parametrize("who", ["agent", "requester", "manager"])
def test_every_list_item_equals_the_detail_of_that_incident(world, api_as, who):
    _varied_incidents(world)
    api = api_as(getattr(world, who))
    listed = api.get("incidents?limit=200")
    assert listed.status_code == 200, listed.content
    assert listed["Content-Type"] == "application/json; charset=utf-8"
    assert "ETag" not in listed
    items = listed.json()["items"]
    assert len(items) >= 3
    for item in items:
        detail = api.get(f"incidents/{item['number']}")
        assert detail.status_code == 200
        expected = detail.json()
        assert list(item) == list(expected)
        for field, value in expected.items():
            assert item[field] == value, (item["number"], field)


def test_the_rich_fields_really_are_exercised(world, api_as):
    """Guards the comparison above against comparing only empty values."""
    _varied_incidents(world)
    items = {i["title"]: i for i in api_as(world.agent).get("incidents?limit=200").json()["items"]}
    vpn, disk = items["VPN drops"], items["Disk full"]
    assert vpn["assignee"]["display_name"] == "Alice Liddell"
    assert vpn["major"]["manager"]["username"] == "mona"
    assert vpn["major"]["promoted_at"] and vpn["due_date"]
    assert {s["name"] for s in vpn["impacted_services"]} >= {"ERP", "Lab"}
    assert items["Child"]["parent"] == vpn["number"]
    assert disk["resolved_by"]["display_name"] == "Bob"
    assert disk["resolved_at"] and disk["state"] == "resolved"
    assert items["Printer jam"]["major"]["state"] == ""
    rita = {i["title"]: i for i in api_as(world.requester).get("incidents").json()["items"]}
    assert "Lab" not in {s["name"] for s in rita["VPN drops"]["impacted_services"]}
    assert [t["to"] for t in rita["Disk full"]["allowed_transitions"]] == ["closed", "in_progress"]
