"""The incident link and impact endpoints (issue 4 "all also through the API"; STYLE rule 14).

`/api/v1/incidents/{number}/cis` and `/services` list, link (201) and unlink (204) affected CIs
and services; `/impact` returns the impacted services with the linked CI and the path; the
incident itself carries `impacted_services`, and the list filters by one without N+1 queries.
"""

from __future__ import annotations

from serval.cmdb import worklinks
from tests import factories as f
from tests.cmdb import incident_estate


def test_link_list_and_unlink_a_ci(world, api_as):
    e = incident_estate.build(world)
    inc = f.make_incident(world.agent)
    api = api_as(world.agent)
    response = api.post(f"incidents/{inc.number}/cis", {"ci": e.db.pk})
    assert response.status_code == 201
    assert response.json() == {
        "id": e.db.pk,
        "name": "db-erp-01",
        "ci_class": "db_instance",
        "operational_status": "operational",
    }
    assert [c["id"] for c in api.get(f"incidents/{inc.number}/cis").json()] == [e.db.pk]
    assert api.post(f"incidents/{inc.number}/cis", {"ci": e.db.pk}).status_code == 422
    assert api.post(f"incidents/{inc.number}/cis", {"ci": e.db.pk, "x": 1}).status_code == 422
    assert api.delete(f"incidents/{inc.number}/cis/{e.db.pk}").status_code == 204
    assert api.delete(f"incidents/{inc.number}/cis/{e.db.pk}").status_code == 404
    assert api.get(f"incidents/{inc.number}/cis").json() == []


def test_link_list_and_unlink_a_service(world, api_as):
    e = incident_estate.build(world)
    inc = f.make_incident(world.agent)
    api = api_as(world.agent)
    response = api.post(f"incidents/{inc.number}/services", {"service": e.erp.pk})
    assert response.status_code == 201
    assert response.json() == {
        "id": e.erp.pk,
        "name": "ERP",
        "kind": "business",
        "criticality": "medium",
    }
    assert [s["name"] for s in api.get(f"incidents/{inc.number}/services").json()] == ["ERP"]
    impact = api.get(f"incidents/{inc.number}/impact").json()["services"]
    assert impact == [
        {
            "id": e.erp.pk,
            "name": "ERP",
            "kind": "business",
            "criticality": "medium",
            "depth": 0,
            "direct": True,
            "via_ci": None,
            "path": [{"kind": "service", "id": e.erp.pk, "name": "ERP"}],
        }
    ]
    assert api.delete(f"incidents/{inc.number}/services/{e.erp.pk}").status_code == 204
    assert api.get(f"incidents/{inc.number}/impact").json() == {"services": []}


def test_impact_names_the_linked_ci_and_the_path(world, api_as):
    e = incident_estate.build(world)
    inc = f.make_incident(world.agent)
    api = api_as(world.agent)
    api.post(f"incidents/{inc.number}/cis", {"ci": e.db.pk})
    services = {s["name"]: s for s in api.get(f"incidents/{inc.number}/impact").json()["services"]}
    erp = services["ERP"]
    assert erp["via_ci"] == {"id": e.db.pk, "name": "db-erp-01"}
    assert erp["depth"] == 2 and erp["direct"] is False
    assert [(n["kind"], n["name"]) for n in erp["path"]] == [
        ("ci", "db-erp-01"),
        ("ci", "app-erp-01"),
        ("service", "ERP"),
    ]
    detail = api.get(f"incidents/{inc.number}").json()
    assert {s["name"] for s in detail["impacted_services"]} == set(services)
    assert {"id": e.erp.pk, "name": "ERP"} in detail["impacted_services"]


def test_the_list_filters_by_impacted_service_and_shows_them(world, api_as):
    e = incident_estate.build(world)
    hit = f.make_incident(world.agent, title="ERP is slow")
    f.make_incident(world.agent, title="Printer jam")
    worklinks.link_ci(actor=world.agent, item=hit, ci=e.app)
    api = api_as(world.agent)
    items = api.get(f"incidents?impacted_service={e.erp.pk}").json()["items"]
    assert [i["number"] for i in items] == [hit.number]
    assert items[0]["impacted_services"] == [{"id": e.erp.pk, "name": "ERP"}]
    assert api.get(f"incidents?impacted_service={e.payroll.pk}").json()["items"] == []


def test_the_list_with_impacted_services_has_no_n_plus_one(
    world, api_as, django_assert_max_num_queries
):
    e = incident_estate.build(world)
    for n in range(20):
        inc = f.make_incident(world.agent, title=f"Outage {n}")
        worklinks.link_ci(actor=world.agent, item=inc, ci=e.db if n % 2 else e.app)
    api = api_as(world.agent)
    # token, its last-used stamp, reach, the page, the names it refers to, and one query for
    # the impacted services of the whole page.
    with django_assert_max_num_queries(6):
        response = api.get("incidents?limit=50")
    items = response.json()["items"]
    assert len(items) == 20 and all(i["impacted_services"] for i in items)
