"""The CMDB API: CI CRUD with field errors, filters and cursor pages; 404 out of reach (A1)."""

from __future__ import annotations

from tests.cmdb.conftest import assert_problem, cls, make_ci


def test_an_agent_records_finds_and_edits_cis(world, api_as):
    api = api_as(world.agent)
    r = api.post(
        "cmdb/cis",
        {
            "name": "db01",
            "ci_class": cls("db_instance").pk,
            "hostname": "DB01",
            "serial": "SN-9",
            "environment": "production",
            "support_team": world.team.pk,
            "owner": "alice",
            "attributes": {"engine": "postgresql"},
            "last_seen": "2026-01-02T03:04:05Z",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["hostname"] == "db01" and body["support_team"]["name"] == "Service Desk"
    dup = api.post("cmdb/cis", {"name": "db02", "ci_class": cls("server").pk, "serial": "SN-9"})
    assert assert_problem(dup, 422)["errors"][0]["field"] == "serial"
    bad = api.post(
        "cmdb/cis", {"name": "x", "ci_class": cls("server").pk, "attributes": {"ram_mb": "a"}}
    )
    assert assert_problem(bad, 422)["errors"][0]["field"] == "attributes.ram_mb"

    assert [c["name"] for c in api.get("cmdb/cis?ci_class=software").json()["items"]] == ["db01"]
    assert api.get("cmdb/cis?hostname=DB01").json()["items"][0]["id"] == body["id"]
    assert api.get("cmdb/cis?environment=test").json()["items"] == []
    assert_problem(api.get("cmdb/cis?status=on_fire"), 422)

    etag = api.get(f"cmdb/cis/{body['id']}")["ETag"]
    r = api.patch(
        f"cmdb/cis/{body['id']}", {"operational_status": "degraded"}, **{"If-Match": etag}
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    assert_problem(api.patch(f"cmdb/cis/{body['id']}", {"vendor": "x"}, **{"If-Match": etag}), 412)
    history = api.get(f"cmdb/cis/{body['id']}/journal").json()["items"]
    assert [e["verb"] for e in history] == ["created", "updated"]
    assert api.delete(f"cmdb/cis/{body['id']}").status_code == 204


def test_cursor_pages_walk_the_whole_list(world, api_as):
    for n in range(7):
        make_ci(world.agent, f"node{n}")
    api = api_as(world.agent)
    seen, url = [], "cmdb/cis?limit=3"
    while url:
        page = api.get(url).json()
        seen += [c["name"] for c in page["items"]]
        url = page["next"] and page["next"].removeprefix("http://testserver")
    assert seen == [f"node{n}" for n in range(7)]


def test_out_of_reach_cis_are_404_and_requesters_see_none(world, api_as):
    ci = make_ci(world.agent, "secret")
    for user in (world.outsider_agent, world.requester):
        api = api_as(user)
        assert_problem(api.get(f"cmdb/cis/{ci.pk}"), 404)
        assert_problem(api.get(f"cmdb/cis/{ci.pk}/impact"), 404)
        assert_problem(api.patch(f"cmdb/cis/{ci.pk}", {"name": "x"}), 404)
        assert_problem(api.delete(f"cmdb/cis/{ci.pk}"), 404)
        assert api.get("cmdb/cis").json()["items"] == []


def test_classes_are_readable_and_admin_writable(world, api_as):
    classes = {c["name"]: c for c in api_as(world.requester).get("cmdb/classes").json()}
    assert classes["server"]["parent"] == classes["hardware"]["id"]
    body = {
        "name": "vm",
        "label": "VM",
        "parent": classes["server"]["id"],
        "schema": [{"name": "hypervisor", "type": "string"}],
    }
    assert_problem(api_as(world.agent).post("cmdb/classes", body), 403)
    r = api_as(world.admin).post("cmdb/classes", body)
    assert r.status_code == 201, r.content
    assert [f["name"] for f in r.json()["effective_schema"]][-1] == "hypervisor"
    # The class's own schema comes back under the name it was sent with (it read `schema_`).
    assert [f["name"] for f in r.json()["schema"]] == ["hypervisor"] and "schema_" not in r.json()
    again = api_as(world.admin).get(f"cmdb/classes/{r.json()['id']}").json()
    assert [f["name"] for f in again["schema"]] == ["hypervisor"]
    assert_problem(api_as(world.outsider_agent).get(f"cmdb/classes/{r.json()['id']}"), 404)
    assert_problem(
        api_as(world.admin).post(
            "cmdb/classes", {**body, "schema": [{"name": "BAD", "type": "string"}]}
        ),
        422,
    )
