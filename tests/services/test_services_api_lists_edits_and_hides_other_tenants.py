"""The services API: CRUD, filters, ETag/If-Match, and 404 for out-of-reach (SECURITY A1)."""

from __future__ import annotations

from tests.services.conftest import assert_problem


def test_a_manager_builds_the_portfolio_through_the_api(world, api_as):
    api = api_as(world.manager)
    r = api.post(
        "services",
        {
            "name": "Payroll",
            "kind": "business",
            "status": "live",
            "owner": "mona",
            "support_team": world.team.pk,
            "customers": [world.org.pk],
            "cost": "100.00",
            "criticality": "critical",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["owner"]["username"] == "mona" and body["customers"][0]["name"] == "Finance"
    assert body["cost"] == "100.00"
    offering = api.post(
        "services", {"name": "Payroll EU", "kind": "offering", "parent": body["id"]}
    )
    assert offering.status_code == 201, offering.content

    listed = api.get("services?kind=offering").json()["items"]
    assert [s["name"] for s in listed] == ["Payroll EU"]
    assert [s["name"] for s in api.get("services?q=pay&status=live").json()["items"]] == ["Payroll"]

    etag = api.get(f"services/{body['id']}")["ETag"]
    r = api.patch(f"services/{body['id']}", {"status": "retired"}, **{"If-Match": etag})
    assert r.status_code == 200 and r.json()["version"] == 2
    stale = api.patch(f"services/{body['id']}", {"status": "live"}, **{"If-Match": etag})
    assert_problem(stale, 412)


def test_other_tenants_services_are_404_and_agents_cannot_write(world, api_as):
    r = api_as(world.manager).post("services", {"name": "Payroll"})
    pk = r.json()["id"]
    assert_problem(api_as(world.outsider_agent).get(f"services/{pk}"), 404)
    assert_problem(api_as(world.outsider_agent).patch(f"services/{pk}", {"name": "x"}), 404)
    assert_problem(api_as(world.agent).patch(f"services/{pk}", {"name": "x"}), 403)
    assert_problem(api_as(world.requester).get(f"services/{pk}"), 404)  # pipeline: not in catalogue
    bad = api_as(world.manager).post(
        "services", {"name": "X", "support_team": world.outsider_team.pk}
    )
    assert assert_problem(bad, 422)["errors"][0]["field"] == "support_team"


def test_deleting_a_service(world, api_as):
    api = api_as(world.admin)
    pk = api.post("services", {"name": "Old"}).json()["id"]
    assert api.delete(f"services/{pk}").status_code == 204
    assert_problem(api.get(f"services/{pk}"), 404)
