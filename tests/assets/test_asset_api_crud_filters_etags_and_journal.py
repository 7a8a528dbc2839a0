"""The asset API: CRUD with field errors, filters, cursor pages, ETag/If-Match and history."""

from __future__ import annotations

from tests.assets.conftest import assert_problem, days, make_ci, make_product


def test_an_agent_records_finds_edits_and_removes_an_asset(world, api_as):
    api = api_as(world.agent)
    ci = make_ci(world.agent, "lt-001")
    r = api.post(
        "assets",
        {
            "name": "Laptop 1",
            "asset_tag": "A-1",
            "serial": "SN1",
            "ci": ci.pk,
            "assigned_to": "alice",
            "location": "HQ 2nd floor",
            "cost": "1299.90",
            "purchase_date": "2026-01-10",
            "warranty_end": "2029-01-10",
            "lifecycle_stage": "operational",
            "lifecycle_status": "in_use",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["ci"] == {"id": ci.pk, "name": "lt-001"} and body["cost"] == "1299.90"
    assert body["assigned_to"]["username"] == "alice"
    dup = api.post("assets", {"name": "Laptop 2", "asset_tag": "A-1"})
    assert assert_problem(dup, 422)["errors"][0]["field"] == "asset_tag"
    bad = api.post(
        "assets", {"name": "x", "lifecycle_stage": "missing", "lifecycle_status": "sold"}
    )
    assert assert_problem(bad, 422)["errors"][0]["field"] == "lifecycle_status"
    api.post("assets", {"name": "Spare", "kind": "software"})

    names = lambda url: [a["name"] for a in api.get(url).json()["items"]]  # noqa: E731
    assert names("assets?assigned_to=me") == ["Laptop 1"]
    assert names("assets?kind=software") == ["Spare"]
    assert names("assets?location=HQ%202nd%20floor") == ["Laptop 1"]
    assert names(f"assets?ci={ci.pk}") == ["Laptop 1"]
    assert names("assets?warranty_before=2030-01-01") == ["Laptop 1"]
    assert names("assets?q=a-1") == ["Laptop 1"]
    assert_problem(api.get("assets?lifecycle_stage=on_fire"), 422)

    etag = api.get(f"assets/{body['id']}")["ETag"]
    r = api.patch(f"assets/{body['id']}", {"location": "Home"}, **{"If-Match": etag})
    assert r.status_code == 200 and r.json()["version"] == 2
    assert_problem(api.patch(f"assets/{body['id']}", {"vendor": "x"}, **{"If-Match": etag}), 412)
    history = api.get(f"assets/{body['id']}/journal").json()["items"]
    assert [e["verb"] for e in history] == ["created", "updated"]
    assert api.delete(f"assets/{body['id']}").status_code == 204


def test_cursor_pages_walk_the_whole_list(world, api_as):
    api = api_as(world.agent)
    for n in range(5):
        api.post("assets", {"name": f"a{n}"})
    seen, url = [], "assets?limit=2"
    while url:
        page = api.get(url).json()
        seen += [a["name"] for a in page["items"]]
        url = page["next"] and page["next"].removeprefix("http://testserver")
    assert seen == [f"a{n}" for n in range(5)]


def test_the_catalogue_is_for_administrators_and_operations_for_agents(world, api_as):
    agent, admin = api_as(world.agent), api_as(world.admin)
    assert_problem(agent.post("assets/products", {"vendor": "Acme", "name": "X"}), 403)
    product = admin.post("assets/products", {"vendor": "Acme", "name": "X"}).json()
    r = admin.post(
        "assets/versions",
        {
            "product": product["id"],
            "version": "1.0",
            "ga_date": "2024-01-01",
            "end_of_support": str(days(60)),
            "end_of_life": str(days(400)),
        },
    )
    assert r.status_code == 201, r.content
    version = r.json()
    bad = admin.post(
        "assets/versions",
        {
            "product": product["id"],
            "version": "2.0",
            "ga_date": "2024-01-01",
            "end_of_support": "2023-01-01",
        },
    )
    assert assert_problem(bad, 422)["errors"][0]["field"] == "end_of_support"
    assert [v["version"] for v in agent.get("assets/products").json()["items"][0]["versions"]] == [
        "1.0"
    ]
    ci = make_ci(world.agent, "srv")
    r = agent.post("assets/installations", {"ci": ci.pk, "software_version": version["id"]})
    assert r.status_code == 201, r.content
    assert (
        agent.get(f"assets/installations?product={product['id']}").json()["items"][0]["ci"]["name"]
        == "srv"
    )
    lic = agent.post(
        "assets/licences",
        {"name": "X seats", "product": product["id"], "metric": "device", "quantity": 0},
    )
    assert lic.status_code == 201, lic.content
    assert lic.json()["compliance"] == {
        "metric": "device",
        "entitlements": 0,
        "consumption": 1,
        "position": -1,
        "compliant": False,
    }
    asset = agent.post("assets", {"name": "box"}).json()
    contract = agent.post(
        "assets/contracts",
        {
            "name": "Support",
            "vendor": "Acme",
            "type": "support",
            "end_date": "2027-06-30",
            "renewal_notice_days": 30,
            "covered_assets": [asset["id"]],
        },
    )
    assert contract.status_code == 201, contract.content
    assert contract.json()["notice_date"] == "2027-05-31"
    assert agent.get(f"assets/{asset['id']}").json()["contracts"][0]["name"] == "Support"
    assert (
        agent.get(f"assets/contracts?asset={asset['id']}").json()["items"][0]["id"]
        == (contract.json()["id"])
    )
    assert_problem(admin.delete(f"assets/products/{product['id']}"), 422)


def test_the_eol_endpoint_reports_the_horizon(world, api_as):
    product = make_product(world.admin, "Java")
    from tests.assets.conftest import install, make_version

    version = make_version(world.admin, product, "8", end_of_support=days(20))
    install(world.agent, make_ci(world.agent, "jvm"), version)
    body = api_as(world.agent).get("assets/eol?within=90").json()
    assert body["counts"] == {"past": 0, "within_90": 1, "within_180": 1, "within_365": 1}
    (group,) = body["groups"]
    assert group["product"]["name"] == "Java" and group["days_to_end_of_support"] == 20
    assert group["installations"][0]["ci"]["name"] == "jvm"
    assert api_as(world.outsider_agent).get("assets/eol?within=90").json()["groups"] == []
    assert_problem(api_as(world.agent).get("assets/eol?within=-1"), 422)
