"""Issue 4: CSV import of CIs with a dry run, per-row errors and no partial import."""

from __future__ import annotations

from serval.cmdb.models import CI
from tests.cmdb.conftest import assert_problem, make_ci

GOOD = (
    "class,name,hostname,serial,environment,support_team,attr:engine,attr:port\n"
    "db_instance,orders-db,orders-db,SN-1,production,Service Desk,postgresql,5432\n"
    "server,host-1,host-1,SN-2,production,,,\n"
)


def test_a_dry_run_reports_and_writes_nothing(world, api_as):
    r = api_as(world.agent).upload("cmdb/cis/import", "estate.csv", GOOD.encode())
    assert r.status_code == 200, r.content
    assert r.json() == {
        "dry_run": True,
        "ok": True,
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }
    assert not CI.objects.exists()


def test_a_real_run_writes_every_row_and_reconciles_on_identifiers(world, api_as):
    existing = make_ci(world.agent, "old name", hostname="host-1")
    r = api_as(world.agent).upload("cmdb/cis/import", "estate.csv", GOOD.encode(), dry_run="false")
    assert r.json()["ok"] and r.json()["created"] == 1 and r.json()["updated"] == 1
    db = CI.objects.get(name="orders-db")
    assert db.attributes == {"engine": "postgresql", "port": 5432}
    existing.refresh_from_db()
    assert existing.name == "host-1" and existing.serial == "SN-2"


def test_one_bad_row_stops_the_whole_import_and_names_row_and_field(world, api_as):
    bad = GOOD + "server,dup,host-1,SN-1,production,,,\nrouter,r1,,,,,,\nserver,h2,,,moon,,,\n"
    r = api_as(world.agent).upload("cmdb/cis/import", "estate.csv", bad.encode(), dry_run="false")
    body = r.json()
    assert not body["ok"] and not CI.objects.exists()
    assert {(e["row"], e["field"]) for e in body["errors"]} == {
        (4, "hostname"),  # serial names orders-db, host name host-1
        (5, "class"),
        (6, "environment"),
    }


def test_bad_files_and_requesters_are_refused(world, api_as):
    api = api_as(world.agent)
    assert_problem(api.upload("cmdb/cis/import", "x.csv", b"\xff\xfe\x00bad"), 422)
    assert_problem(api.upload("cmdb/cis/import", "x.csv", b"foo,bar\n1,2\n"), 422)
    assert_problem(api_as(world.requester).upload("cmdb/cis/import", "x.csv", GOOD.encode()), 403)
