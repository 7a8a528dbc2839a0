"""Issue 4: CSV import of assets with a dry run, per-row errors and no partial import (F1)."""

from __future__ import annotations

from serval.assets import actions
from serval.assets.models import Asset
from tests.assets.conftest import assert_problem, make_ci

GOOD = (
    "name,asset_tag,serial,kind,ci,assigned_to,location,cost,purchase_date,warranty_end\n"
    "Rack 1,A-1,SN-1,hardware,db01,alice,DC1,1200.00,2025-01-01,2028-01-01\n"
    "Laptop,A-2,,hardware,,,HQ,,,\n"
)


def test_a_dry_run_reports_and_writes_nothing(world, api_as):
    make_ci(world.agent, "db01", hostname="db01")
    r = api_as(world.agent).upload("assets/import", "assets.csv", GOOD.encode())
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
    assert not Asset.objects.exists()


def test_a_real_run_writes_every_row_and_reconciles_on_tag(world, api_as):
    ci = make_ci(world.agent, "db01", hostname="db01")
    existing = actions.create_asset(actor=world.agent, name="old", asset_tag="A-2")
    r = api_as(world.agent).upload("assets/import", "a.csv", GOOD.encode(), dry_run="false")
    assert r.json()["ok"] and (r.json()["created"], r.json()["updated"]) == (1, 1)
    rack = Asset.objects.get(asset_tag="A-1")
    assert rack.ci == ci and rack.assigned_to == world.agent and str(rack.cost) == "1200.00"
    existing.refresh_from_db()
    assert existing.name == "Laptop" and existing.location == "HQ"


def test_one_bad_row_stops_the_whole_import_and_names_row_and_field(world, api_as):
    make_ci(world.agent, "db01", hostname="db01")
    bad = GOOD + "Dup,A-2,SN-1,,,,,,,\nGhost,,,,nowhere,,,,,\nOdd,,,moon,,,,,,\n"
    r = api_as(world.agent).upload("assets/import", "a.csv", bad.encode(), dry_run="false")
    body = r.json()
    assert not body["ok"] and not Asset.objects.exists()
    assert {(e["row"], e["field"]) for e in body["errors"]} == {
        (4, "serial"),  # the tag names the laptop, the serial the rack
        (5, "ci"),
        (6, "kind"),
    }


def test_unknown_columns_bad_encoding_and_requesters_are_refused(world, api_as):
    api = api_as(world.agent)
    assert_problem(api.upload("assets/import", "a.csv", b"name,colour\nx,red\n"), 422)
    assert_problem(api.upload("assets/import", "a.csv", b"name\n\xff\xfe\n"), 422)
    assert_problem(api_as(world.requester).upload("assets/import", "a.csv", GOOD.encode()), 403)
