"""A record can only link objects within its tenant's reach (SECURITY-REFERENCE A3)."""

from __future__ import annotations

from tests import factories as f
from tests.api.conftest import assert_problem


def _fields(response) -> set[str]:
    return {e["field"] for e in assert_problem(response, 422)["errors"]}


def test_another_tenants_team_or_people_cannot_be_linked_on_create(world, api_as):
    api = api_as(world.agent)
    assert _fields(
        api.post("incidents", {"title": "x", "assignment_group": world.outsider_team.pk})
    ) == {"assignment_group"}
    assert _fields(api.post("incidents", {"title": "x", "caller": "otto"})) == {"caller"}
    assert _fields(
        api.post(
            "incidents",
            {"title": "x", "assignment_group": world.team.pk, "assignee": world.outsider_agent.pk},
        )
    ) == {"assignee"}
    assert _fields(api.post("incidents", {"title": "x", "tenant": world.other_tenant.slug})) == {
        "tenant"
    }


def test_or_on_update_and_transition(world, api_as):
    api = api_as(world.agent)
    number = f.make_incident(world.agent).number
    assert _fields(
        api.patch(f"incidents/{number}", {"assignment_group": world.outsider_team.pk})
    ) == {"assignment_group"}
    assert _fields(
        api.post(
            f"incidents/{number}/transition",
            {"to": "in_progress", "assignment_group": world.outsider_team.pk},
        )
    ) == {"assignment_group"}
    assert _fields(api.post(f"incidents/{number}/watchers", {"user": "otto"})) == {"user"}


def test_assignee_must_be_in_the_group(world, api_as):
    api = api_as(world.agent)
    response = api.post(
        "incidents", {"title": "x", "assignment_group": world.team2.pk, "assignee": "alice"}
    )
    assert _fields(response) == {"assignee"}
