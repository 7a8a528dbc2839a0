"""Issue 3: compliance per definition, team, *service* and month — the API, the report page and
its CSV all read one computation (serval.sla.reports), so they agree."""

import csv
import io
from datetime import timedelta

from django.test import Client

from serval.incidents.actions import transition_incident
from serval.sla import engine
from serval.sla.models import SlaClock
from serval.sla.reports import compliance_rows
from tests import factories as f


def _one_met_one_breached(world):
    mail = f.make_incident(
        world.agent, impact=1, urgency=1, assignment_group=world.team.pk, service="E-mail"
    )
    transition_incident(actor=world.agent, item=mail, to="in_progress")  # response met
    erp = f.make_incident(
        world.agent, impact=1, urgency=1, assignment_group=world.team.pk, service="ERP"
    )
    clock = SlaClock.objects.get(work_item=erp, definition__name="P1 response")
    engine.check_clock(clock.pk, now=clock.breach_at + timedelta(minutes=1))


def test_rows_are_split_by_service(world):
    _one_met_one_breached(world)
    rows = [r for r in compliance_rows(world.agent, target="response")]
    by_service = {r["service"]: (r["met"], r["breached"], r["compliance_percent"]) for r in rows}
    assert by_service == {"E-mail": (1, 0, 100.0), "ERP": (0, 1, 0.0)}


def test_api_and_csv_carry_the_service(world):
    _one_met_one_breached(world)
    client = Client()
    client.force_login(world.manager)
    api_rows = client.get("/api/v1/sla/compliance?target=response").json()
    assert sorted(r["service"] for r in api_rows) == ["E-mail", "ERP"]
    response = client.get("/sla/report/?format=csv&target=response")
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    table = list(csv.DictReader(io.StringIO(body)))
    assert sorted(r["service"] for r in table) == ["E-mail", "ERP"]
