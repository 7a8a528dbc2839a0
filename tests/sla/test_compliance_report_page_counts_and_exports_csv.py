"""The compliance report: met, breached and % per definition, team, service and month,
response and resolution apart, as a table, an SVG chart and CSV (DOMAIN.md §2.5; issue 3)."""

import csv
import io
from datetime import timedelta

from django.test import Client

from serval.incidents.actions import transition_incident
from serval.sla import engine
from serval.sla.models import SlaClock
from tests import factories as f


def _setup(world):
    met = f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
    transition_incident(actor=world.agent, item=met, to="in_progress")  # response met
    late = f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
    clock = SlaClock.objects.get(work_item=late, definition__name="P1 response")
    engine.check_clock(clock.pk, now=clock.breach_at + timedelta(minutes=1))  # breached


def test_table_chart_and_summary_count_met_and_breached(world):
    _setup(world)
    client = Client()
    client.force_login(world.agent)
    html = client.get("/sla/report/").content.decode()
    assert "P1 response" in html and "Service Desk" in html
    assert "50.0 %" in html  # one met, one breached
    assert "Response: 1 met, 1 breached" in html
    assert '<svg class="sla-chart"' in html and 'class="bar-response"' in html
    assert " style=" not in html
    only_resolution = client.get("/sla/report/?target=resolution").content.decode()
    assert "P1 response" not in only_resolution.split('id="h-table"')[1]


def test_csv_has_the_same_rows(world):
    _setup(world)
    client = Client()
    client.force_login(world.manager)
    response = client.get("/sla/report/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == [
        "month",
        "target",
        "definition",
        "team",
        "service",
        "met",
        "breached",
        "compliance_percent",
    ]
    response_rows = [r for r in rows[1:] if r[2] == "P1 response"]
    assert [r[3:] for r in response_rows] == [["Service Desk", "", "1", "1", "50.0"]]
