"""Issue 4: every CMDB, service and asset list exports as CSV and XLSX with the list's filters
and visibility; spreadsheet formulas are neutralised in both (SECURITY-REFERENCE C3), and the
CI and relationship exports import back unchanged."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from serval.assets import actions as assets
from serval.assets import software
from serval.cmdb import imports
from serval.services import actions as services
from tests.cmdb.conftest import make_ci, relate
from tests.xlsx import read_workbook


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.fixture
def estate(world):
    db = make_ci(world.agent, "=cmd|' /C calc'!A0", "db_instance", hostname="db-1")
    app = make_ci(world.agent, "app", "business_application", environment="test")
    relate(world.agent, app, "depends_on", db)
    make_ci(world.outsider_agent, "their-server")
    services.create_service(actor=world.manager, name="+ERP", status="live")
    product = software.create_product(actor=world.admin, vendor="@Vendor", name="DB")
    software.create_version(actor=world.admin, product=product, version="13")
    software.create_licence(actor=world.agent, product=product, name="-lic", quantity=2)
    asset = assets.create_asset(actor=world.agent, name="=1+1", asset_tag="A-1")
    assets.create_contract(
        actor=world.agent, name="=HYPERLINK(1)", vendor="V", covered_assets=[asset]
    )
    return db, app


LISTS = [
    ("/cmdb/cis/export", "=cmd"),
    ("/services/export", "+ERP"),
    ("/assets/export", "=1+1"),
    ("/assets/software/export", "@Vendor"),
    ("/assets/licences/export", "-lic"),
    ("/assets/contracts/export", "=HYPERLINK"),
]


@pytest.mark.parametrize(("path", "dangerous"), LISTS)
def test_each_list_exports_both_formats_with_formulas_as_text(
    world, client, estate, path, dangerous
):
    client.force_login(world.agent)
    rows = _csv(client.get(f"{path}.csv"))
    cells = [c for row in rows for c in row]
    assert any(c.startswith("'" + dangerous) for c in cells)
    assert not any(c.startswith(dangerous) for c in cells)
    response = client.get(f"{path}.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    values = [v for row in read_workbook(response.content) for v in row]
    texts = [v for v in values if isinstance(v, str)]
    assert any(v.startswith("'" + dangerous) for v in texts)
    assert not any(v.startswith(dangerous) for v in texts)
    assert "their-server" not in cells  # visibility: another tenant's CI never leaves


def test_the_ci_export_keeps_the_lists_filters_and_imports_back(world, client, estate):
    client.force_login(world.agent)
    rows = _csv(client.get("/cmdb/cis/export.csv?environment=test"))
    assert [r[1] for r in rows[1:]] == ["app"]
    everything = client.get("/cmdb/cis/export.xlsx").content
    result = imports.import_cis(actor=world.agent, data=everything, filename="cis.xlsx")
    assert result.ok and result.updated == 1 and result.created == 1  # matched on host name


def test_the_relationship_export_imports_back_unchanged(world, client, estate):
    client.force_login(world.agent)
    rows = _csv(client.get("/cmdb/relationships/export.csv"))
    assert rows == [["parent", "type", "child"], ["app", "depends_on", "db-1"]]
    data = client.get("/cmdb/relationships/export.xlsx").content
    body = client.post(
        "/cmdb/relationships/import", {"file": SimpleUploadedFile("r.xlsx", data)}
    ).content.decode()
    assert "1 row is already so." in body


def test_requesters_and_unknown_formats_get_404(world, client, estate):
    client.force_login(world.requester)
    for path, _d in LISTS[:1] + LISTS[2:]:
        assert client.get(f"{path}.csv").status_code == 404
    client.force_login(world.agent)
    assert client.get("/cmdb/cis/export.pdf").status_code == 404
