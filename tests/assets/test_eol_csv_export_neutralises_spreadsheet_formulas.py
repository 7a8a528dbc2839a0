"""The EOL report's CSV escapes formula triggers in every cell (SECURITY-REFERENCE C3)."""

from __future__ import annotations

import csv
import io

from tests.assets.conftest import days, install, make_ci, make_product, make_version


def test_a_formula_in_a_product_name_arrives_as_text(world, client):
    product = make_product(world.admin, '=HYPERLINK("http://evil.example","x")', vendor="@vendor")
    version = make_version(world.admin, product, "+1", end_of_support=days(10))
    install(world.agent, make_ci(world.agent, "host"), version)
    client.force_login(world.agent)
    response = client.get("/assets/eol.csv?within=90")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    assert header[:3] == ["vendor", "product", "version"]
    assert row[:3] == ["'@vendor", '\'=HYPERLINK("http://evil.example","x")', "'+1"]
    assert row[header.index("days_to_end_of_support")] == "10"
    assert row[header.index("ci")] == "host"


def test_requesters_cannot_export(world, client):
    client.force_login(world.requester)
    assert client.get("/assets/eol.csv").status_code == 404
