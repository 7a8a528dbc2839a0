"""The SLA API: an incident's clocks (404 out of reach), calendars and definitions (admins
write, agents read), the due-date preview and the compliance report (DOMAIN.md §2.5, issue 3).
"""

from __future__ import annotations

from serval.incidents.actions import transition_incident
from tests import factories as f
from tests.api.conftest import api_as, assert_problem  # noqa: F401 - fixture

WORKDAYS = ("mon", "tue", "wed", "thu", "fri")


def test_an_incidents_clocks_are_listed_for_those_who_can_see_it(world, api_as):  # noqa: F811
    item = f.make_incident(world.requester, title="Printer on fire", impact=1, urgency=1)
    body = api_as(world.requester).get(f"incidents/{item.number}/sla").json()
    assert {c["definition"] for c in body} == {"P1 response", "P1 resolution"}
    assert {c["status"] for c in body} == {"ok"}
    assert all(0 <= c["business_elapsed_percent"] < 1 for c in body)
    assert_problem(api_as(world.requester_other_org).get(f"incidents/{item.number}/sla"), 404)
    assert_problem(api_as(world.outsider_agent).get(f"incidents/{item.number}/sla"), 404)


def test_admins_create_calendars_and_definitions_and_agents_only_read(world, api_as):  # noqa: F811
    admin, agent = api_as(world.admin), api_as(world.agent)
    created = admin.post(
        "sla/calendars",
        {
            "name": "Munich desk",
            "time_zone": "Europe/Berlin",
            "week": {d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in WORKDAYS},
            "country": "de",
            "subdivision": "by",
        },
    )
    assert created.status_code == 201, created.content
    cal = created.json()
    assert cal["country"] == "DE"
    assert_problem(agent.post("sla/calendars", {"name": "Mine"}), 403)
    bad = admin.post("sla/calendars", {"name": "Bad", "week": {"mon": [["17:00", "08:00"]]}})
    assert_problem(bad, 422)

    patched = admin.patch(
        f"sla/calendars/{cal['id']}",
        {"closed_dates": [{"date": "2026-12-24", "yearly": True, "name": "Christmas Eve"}]},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["closed_dates"][0]["yearly"] is True

    definition = admin.post(
        "sla/definitions",
        {
            "name": "Munich P1 resolution",
            "target": "resolution",
            "duration_seconds": 8 * 3600,
            "calendar": cal["id"],
            "conditions": {"start": [{"field": "priority", "op": "eq", "value": 1}]},
        },
    )
    assert definition.status_code == 201, definition.content
    preview = agent.get(
        f"sla/definitions/{definition.json()['id']}/preview?opened_at=2026-12-23T16:00:00%2B01:00"
    ).json()
    # 23 Dec 16–17 (1 h), 24 Dec closed, 25/26 Dec holidays, 27 Sunday; 28 Dec 7 h → 16:00.
    assert preview["due_at"].startswith("2026-12-28T15:00:00")
    assert any(d["name"] == "Munich P1 resolution" for d in agent.get("sla/definitions").json())
    assert_problem(api_as(world.requester).get("sla/definitions"), 403)


def test_conditions_outside_the_allow_list_are_refused(world, api_as):  # noqa: F811
    response = api_as(world.admin).post(
        "sla/definitions",
        {
            "name": "Sneaky",
            "target": "response",
            "duration_seconds": 3600,
            "conditions": {"start": [{"field": "caller__password", "op": "eq", "value": "x"}]},
        },
    )
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "conditions.start.0"


def test_compliance_counts_met_and_breached_per_definition(world, api_as, frozen):  # noqa: F811
    items = [
        f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
        for _ in range(3)
    ]
    frozen.advance(hours=1)
    for item in items[:2]:
        transition_incident(
            actor=world.agent,
            item=item,
            to="resolved",
            close_code="solved_permanently",
            close_notes="Done.",
        )
    frozen.advance(hours=5)
    transition_incident(
        actor=world.agent,
        item=items[2],
        to="resolved",
        close_code="solved_permanently",
        close_notes="Late.",
    )
    rows = api_as(world.manager).get("sla/compliance?target=resolution").json()
    [row] = [r for r in rows if r["definition"] == "P1 resolution"]
    assert (row["met"], row["breached"], row["team"]) == (2, 1, "Service Desk")
    assert row["compliance_percent"] == 66.7
