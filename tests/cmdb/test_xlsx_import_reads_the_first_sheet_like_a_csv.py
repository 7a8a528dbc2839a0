"""Issue 4: CIs and assets import from XLSX as from CSV — same columns, dry run, per-row errors
and all or nothing — with spreadsheet values (numbers, dates, booleans) read as their text."""

from __future__ import annotations

from datetime import date

from serval.assets.models import Asset
from serval.cmdb.models import CI
from serval.core.imports import MAX_BYTES
from tests.cmdb.conftest import assert_problem
from tests.xlsx import workbook

HEADER = ["class", "name", "hostname", "attr:port", "attr:virtual"]


def test_an_xlsx_dry_run_then_import_of_cis(world, api_as):
    data = workbook(
        [
            HEADER,
            ["server", "web-1", "web-1", None, True],
            ["db_instance", "db-1", "db-1", 5432, None],
            [],
            [None],
        ]
    )
    api = api_as(world.agent)
    dry = api.upload("cmdb/cis/import", "estate.xlsx", data).json()
    assert dry["ok"] and dry["rows"] == 2 and dry["created"] == 2 and not CI.objects.exists()
    real = api.upload("cmdb/cis/import", "estate.xlsx", data, dry_run="false").json()
    assert real["ok"] and real["created"] == 2
    assert CI.objects.get(name="db-1").attributes == {"port": 5432}
    assert CI.objects.get(name="web-1").attributes == {"virtual": True}


def test_xlsx_errors_name_the_spreadsheet_row_and_nothing_is_written(world, api_as):
    data = workbook(
        [HEADER, ["server", "ok-1", "", None, None], [], ["router", "bad", "", None, None]]
    )
    body = api_as(world.agent).upload("cmdb/cis/import", "e.xlsx", data, dry_run="false").json()
    assert not body["ok"] and body["errors"] == [
        {"row": 4, "field": "class", "message": "Unknown class."}
    ]
    assert not CI.objects.exists()


def test_assets_import_from_xlsx_with_real_dates(world, api_as):
    data = workbook(
        [
            ["name", "asset_tag", "warranty_end", "cost"],
            ["Laptop 7", "A-7", date(2027, 3, 31), 1249.5],
        ]
    )
    body = api_as(world.agent).upload("assets/import", "a.xlsx", data, dry_run="false").json()
    assert body["ok"], body
    asset = Asset.objects.get(asset_tag="A-7")
    assert asset.warranty_end == date(2027, 3, 31) and str(asset.cost) == "1249.50"


def test_the_import_page_takes_xlsx(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.agent)
    data = workbook([HEADER, ["server", "page-1", "page-1", None, None]])
    html = client.post(
        "/cmdb/cis/import", {"file": SimpleUploadedFile("e.xlsx", data), "apply": "1"}
    ).content.decode()
    assert "Imported" in html and CI.objects.filter(name="page-1").exists()


def test_the_api_refuses_an_upload_over_the_limit_before_reading_it(world, api_as):
    r = api_as(world.agent).upload("cmdb/cis/import", "big.xlsx", b"PK\x03\x04" + b"\0" * MAX_BYTES)
    body = assert_problem(r, 422)
    assert body["errors"][0]["field"] == "file"
