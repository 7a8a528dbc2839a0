"""Issue 4: GET /api/v1/cmdb/cis/{id}/impact?direction=upstream&depth=N (DOMAIN.md §2.7)."""

from __future__ import annotations

from tests.cmdb.conftest import assert_problem, make_ci


def test_impact_through_the_api(world, api_as):
    api = api_as(world.agent)
    db = make_ci(world.agent, "db", "db_instance")
    app = make_ci(world.agent, "app", "app_server")
    r = api.post("cmdb/relationships", {"parent": app.pk, "type": "depends_on", "child": db.pk})
    assert r.status_code == 201, r.content
    shop = api_as(world.manager).post("services", {"name": "Shop", "status": "live"}).json()
    link = api.post("cmdb/service-links", {"service": shop["id"], "ci": app.pk})
    assert link.status_code == 201, link.content

    body = api.get(f"cmdb/cis/{db.pk}/impact?direction=upstream&depth=3").json()
    assert [(c["name"], c["depth"]) for c in body["cis"]] == [("app", 1)]
    assert body["services"][0]["name"] == "Shop" and body["services"][0]["depth"] == 2
    assert [n["name"] for n in body["services"][0]["path"]] == ["db", "app", "Shop"]
    down = api.get(f"cmdb/cis/{app.pk}/impact?direction=downstream").json()
    assert [c["name"] for c in down["cis"]] == ["db"] and down["services"] == []
    many = api.post("cmdb/impact", {"cis": [db.pk, app.pk]}).json()
    assert [s["name"] for s in many["services"]] == ["Shop"]
    assert_problem(api.get(f"cmdb/cis/{db.pk}/impact?depth=0"), 422)
    assert_problem(api.get(f"cmdb/cis/{db.pk}/impact?direction=sideways"), 422)


def test_relationship_errors_name_their_fields(world, api_as):
    api = api_as(world.agent)
    a = make_ci(world.agent, "a")
    outside = make_ci(world.outsider_agent, "o")
    r = api.post("cmdb/relationships", {"parent": a.pk, "type": "depends_on", "child": outside.pk})
    assert assert_problem(r, 422)["errors"][0]["field"] == "child"
    r = api.post("cmdb/relationships", {"parent": a.pk, "type": "likes", "child": a.pk})
    assert assert_problem(r, 422)["errors"][0]["field"] == "type"
    r = api.post("cmdb/relationships", {"parent": a.pk, "type": "depends_on", "child": a.pk})
    assert assert_problem(r, 422)["errors"][0]["field"] == "child"
    types = api.get("cmdb/relationship-types").json()
    assert {"depends_on", "contains"} <= {t["name"] for t in types}
