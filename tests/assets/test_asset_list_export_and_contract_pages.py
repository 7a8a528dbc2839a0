"""The asset list exports what it shows as safe CSV (C3); contracts show their notice date."""

from __future__ import annotations

import csv
import io

from serval.assets import actions
from tests.assets.conftest import days


def test_the_export_follows_the_filters_and_escapes_formulas(world, client):
    actions.create_asset(actor=world.agent, name="=cmd|' /C calc'!A0", location="HQ")
    actions.create_asset(actor=world.agent, name="elsewhere", location="DC")
    actions.create_asset(actor=world.outsider_agent, name="theirs", location="HQ")
    client.force_login(world.agent)
    response = client.get("/assets/export.csv?location=HQ")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[0] == "name" and len(rows) == 1
    assert rows[0][0] == "'=cmd|' /C calc'!A0"


def test_the_contracts_page_shows_the_last_day_to_give_notice(world, client):
    asset = actions.create_asset(actor=world.agent, name="box")
    actions.create_contract(
        actor=world.agent,
        name="Support plan",
        vendor="Acme",
        end_date=days(40),
        renewal_notice_days=30,
        covered_assets=[asset],
    )
    client.force_login(world.agent)
    body = client.get("/assets/contracts/").content.decode()
    assert "Support plan" in body and f'datetime="{days(10).isoformat()}"' in body
    client.force_login(world.requester)
    assert client.get("/assets/contracts/").status_code == 404
    assert client.get("/assets/import").status_code == 404
