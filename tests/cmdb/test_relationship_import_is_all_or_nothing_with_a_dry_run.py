"""Issue 4: relationships import from CSV or XLSX — parent identifier, type, child identifier —
with the same dry run, per-row errors and all-or-nothing run as CIs, on the page and the API."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from serval.cmdb.models import CIRelationship
from tests.cmdb.conftest import make_ci, relate
from tests.xlsx import workbook


def _estate(world):
    return (
        make_ci(world.agent, "erp-app", "business_application"),
        make_ci(world.agent, "erp-db", "db_instance", hostname="erp-db"),
        make_ci(world.agent, "srv 1", serial="SN-1"),
    )


GOOD = "parent,type,child\nerp-app,depends_on,erp-db\nerp-db,Runs on,SN-1\n"


def test_a_dry_run_then_a_real_run_through_the_api(world, api_as):
    app, db, server = _estate(world)
    api = api_as(world.agent)
    dry = api.upload("cmdb/relationships/import", "rels.csv", GOOD.encode()).json()
    assert dry["ok"] and dry["created"] == 2 and not CIRelationship.objects.exists()
    real = api.upload("cmdb/relationships/import", "rels.csv", GOOD.encode(), dry_run="false")
    assert real.json()["created"] == 2
    pairs = set(CIRelationship.objects.values_list("parent_id", "type__name", "child_id"))
    assert pairs == {(app.pk, "depends_on", db.pk), (db.pk, "runs_on", server.pk)}
    again = api.upload("cmdb/relationships/import", "rels.csv", GOOD.encode(), dry_run="false")
    assert again.json()["unchanged"] == 2 and again.json()["created"] == 0


def test_errors_name_row_and_field_and_nothing_is_written(world, api_as):
    app, db, _server = _estate(world)
    relate(world.agent, db, "contains", app)
    bad = (
        GOOD
        + "nobody,depends_on,erp-db\n"  # row 4: unknown parent
        + "erp-app,likes,erp-db\n"  # row 5: unknown type
        + "erp-db,depends_on,erp-db\n"  # row 6: a self-loop
        + "SN-1,contains,erp-app\n"  # row 7: contains gives a child one parent
    )
    body = (
        api_as(world.agent)
        .upload("cmdb/relationships/import", "rels.csv", bad.encode(), dry_run="false")
        .json()
    )
    assert not body["ok"]
    assert {(e["row"], e["field"]) for e in body["errors"]} == {
        (4, "parent"),
        (5, "type"),
        (6, "child"),
        (7, "child"),
    }
    assert CIRelationship.objects.count() == 1  # only the one made before


def test_the_page_imports_xlsx_and_outsiders_get_a_404(world, client):
    _estate(world)
    data = workbook([["parent", "type", "child"], ["erp-app", "depends_on", "erp-db"]])
    client.force_login(world.agent)
    assert "depends_on" in client.get("/cmdb/relationships/import").content.decode()
    html = client.post(
        "/cmdb/relationships/import", {"file": SimpleUploadedFile("r.xlsx", data), "apply": "1"}
    ).content.decode()
    assert "Imported" in html and CIRelationship.objects.count() == 1
    client.force_login(world.requester)
    assert client.get("/cmdb/relationships/import").status_code == 404


def test_cis_of_another_tenant_cannot_be_named(world, api_as):
    _estate(world)
    make_ci(world.outsider_agent, "their-db", "db_instance", hostname="their-db")
    rows = "parent,type,child\nerp-app,depends_on,their-db\n"
    body = api_as(world.agent).upload("cmdb/relationships/import", "r.csv", rows.encode()).json()
    assert body["errors"][0]["field"] == "child" and not CIRelationship.objects.exists()
