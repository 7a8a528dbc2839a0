"""The outcome report page (DOMAIN.md §2.12): summary, an SVG chart drawn on the server (no inline
styles), the table, and a CSV export whose cells never start a spreadsheet formula."""

from __future__ import annotations

import csv
import io

from serval.people import actions as people
from tests.changes.outcome_helpers import build_history
from tests.changes.risk_helpers import client_for


def test_summary_chart_and_table(world, estate):
    build_history(world, estate)
    html = client_for(world.agent).get("/changes/reports/outcomes/?group_by=team").content.decode()
    assert 'data-summary="success_rate">66.7 %' in html
    assert 'data-summary="failure_rate">50.0 %' in html
    assert (
        '<svg class="sla-chart"' in html
        and 'class="bar-success"' in html
        and 'class="bar-failure"' in html
    )
    assert "Service Desk" in html and "Network" in html
    assert " style=" not in html
    assert 'href="/changes/reports/outcomes/"' in html  # the change section's tab


def test_bad_filters_show_the_error_and_the_unfiltered_report(world):
    response = client_for(world.agent).get(
        "/changes/reports/outcomes/?since=2026-05-01&until=2026-04-01&group_by=nope"
    )
    assert response.status_code == 200
    assert "The filters were not applied" in response.content.decode()


def test_csv_rows_and_formula_escaping(world, estate):
    build_history(world, estate)
    people.update_team(actor=world.admin, team=world.team2, name="=HYPERLINK(1)")
    response = client_for(world.manager).get("/changes/reports/outcomes/?group_by=team&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["group", "key", "label", "implemented"]
    labels = {r[2]: r for r in rows[1:]}
    assert "'=HYPERLINK(1)" in labels
    assert labels["All changes"][0] == "total" and labels["All changes"][-3:] == [
        "66.7",
        "50.0",
        "25.0",
    ]


def test_only_agents_see_it(world):
    assert client_for(world.requester).get("/changes/reports/outcomes/").status_code == 404
    empty = client_for(world.agent).get("/changes/reports/outcomes/").content.decode()
    assert "No change was implemented in this period yet." in empty
