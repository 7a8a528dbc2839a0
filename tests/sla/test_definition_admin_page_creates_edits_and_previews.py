"""The definition page: type, target, a duration in minutes, hours or business days, calendar,
zone source and a structured conditions editor over the engine's allow-list — not raw JSON
(SECURITY-REFERENCE C1). Errors re-render and write nothing; the preview uses the API's
`actions.preview_due` (issue 3 "Admin pages … with a preview")."""

from datetime import datetime

from django.test import Client
from django.utils import timezone

from serval.sla import actions
from serval.sla.models import BusinessCalendar, SlaDefinition
from serval.sla.seed import OFFICE_HOURS


def _admin(world):
    client = Client()
    client.force_login(world.admin)
    return client


def _form(**overrides):
    data = {
        "name": "Gold resolution",
        "type": "ola",
        "target": "resolution",
        "amount": "2",
        "unit": "days",
        "calendar": str(BusinessCalendar.objects.get(name=OFFICE_HOURS).pk),
        "time_zone_source": "definition",
        "retroactive_start": "on",
        "active": "on",
        "cond_start_0_field": "priority",
        "cond_start_0_op": "in",
        "cond_start_0_value": "P1, 2",
        "cond_start_1_field": "service",
        "cond_start_1_op": "eq",
        "cond_start_1_value": "Payroll",
        "cond_stop_0_field": "state",
        "cond_stop_0_op": "in",
        "cond_stop_0_value": "resolved, closed",
        "cond_cancel_0_field": "assignee",
        "cond_cancel_0_op": "empty",
    }
    data.update(overrides)
    return data


def test_create_and_edit_a_definition_with_conditions(world):
    client = _admin(world)
    assert client.post("/sla/definitions/new", _form()).status_code == 302
    definition = SlaDefinition.objects.get(name="Gold resolution")
    assert definition.type == "ola"
    assert definition.duration_seconds == 2 * 9 * 3600  # two 9-hour office days
    assert definition.conditions == {
        "start": [
            {"field": "priority", "op": "in", "value": [1, 2]},
            {"field": "service", "op": "eq", "value": "Payroll"},
        ],
        "stop": [{"field": "state", "op": "in", "value": ["resolved", "closed"]}],
        "cancel": [{"field": "assignee", "op": "empty"}],
    }
    page = client.get(f"/sla/definitions/{definition.pk}/").content.decode()
    assert 'value="1, 2"' in page and 'value="Payroll"' in page
    assert "An item opened now would be due at" in page

    edited = _form(amount="90", unit="minutes", calendar="", version=str(definition.version))
    edited.pop("cond_start_1_field")
    assert client.post(f"/sla/definitions/{definition.pk}/", edited).status_code == 302
    definition.refresh_from_db()
    assert definition.duration_seconds == 5400 and definition.calendar is None
    assert definition.conditions["start"] == [{"field": "priority", "op": "in", "value": [1, 2]}]


def test_invalid_input_rerenders_and_writes_nothing(world):
    client = _admin(world)
    before = SlaDefinition.objects.count()
    bad = _form(name="", cond_start_0_value="high", amount="0")
    html = client.post("/sla/definitions/new", bad).content.decode()
    assert "Enter whole numbers." in html
    assert 'value="high"' in html
    duplicate = client.post("/sla/definitions/new", _form(name="P1 response")).content.decode()
    assert "A definition with this name exists." in duplicate
    too_long = client.post("/sla/definitions/new", _form(unit="days", amount="2000")).content
    assert "Between one minute and one year." in too_long.decode()
    assert SlaDefinition.objects.count() == before


def test_previews_use_the_same_function_as_the_api(world):
    client = _admin(world)
    html = client.get("/sla/definitions/?priority=1").content.decode()
    p1 = SlaDefinition.objects.get(name="P1 resolution")
    due = actions.preview_due(definition=p1, opened_at=timezone.now(), caller=world.admin)
    assert due.strftime("%a %-d %b, %H:") in html
    assert "P1 response" in html and "An incident opened now with priority" in html
    partial = client.get(
        "/sla/definitions/preview",
        {"amount": "3", "unit": "hours", "calendar": "", "time_zone_source": "definition"},
    ).content.decode()
    expected = timezone.localtime(timezone.now() + (datetime(2000, 1, 1, 3) - datetime(2000, 1, 1)))
    assert expected.strftime("%Y, %H:") in partial
