"""Issue 4 / DOMAIN.md §2.11: a service's service hours are a business calendar of the service
level practice — linked, shown and edited on the pages and through the API, journaled, and
never one of another tenant."""

from __future__ import annotations

import pytest
from django.test import Client

from serval.core.errors import ValidationFailed
from serval.core.models import JournalEvent
from serval.services import actions
from serval.services.models import Service
from serval.sla import actions as sla

WEEK = {"mon": [["08:00", "17:00"]], "tue": [["08:00", "17:00"]]}


def _calendar(world, name="Office hours", actor=None):
    return sla.create_calendar(
        actor=actor or world.admin, name=name, time_zone="Europe/Berlin", week=WEEK
    )


def test_the_api_links_shows_filters_and_clears_service_hours(world, api_as):
    office = _calendar(world)
    api = api_as(world.manager)
    made = api.post("services", {"name": "ERP", "service_hours": office.pk})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["service_hours"] == {
        "id": office.pk,
        "name": "Office hours",
        "time_zone": "Europe/Berlin",
    }
    listed = api.get(f"services?service_hours={office.pk}").json()["items"]
    assert [s["name"] for s in listed] == ["ERP"]
    cleared = api.patch(f"services/{body['id']}", {"service_hours": None}).json()
    assert cleared["service_hours"] is None
    event = JournalEvent.objects.filter(subject_type="service", verb="updated").last()
    assert event.data["changes"]["service_hours"] == ["Office hours", None]


def test_another_tenants_calendar_is_a_field_error(world, api_as):
    from tests import factories as f

    outsider_admin = f.make_user("admin", world.other_tenant, "oadmin")
    theirs = _calendar(world, "Their hours", actor=outsider_admin)
    response = api_as(world.manager).post("services", {"name": "ERP", "service_hours": theirs.pk})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "service_hours"
    service = actions.create_service(actor=world.manager, name="CRM")
    with pytest.raises(ValidationFailed) as info:  # the action refuses it even when handed it
        actions.update_service(actor=world.manager, service=service, service_hours=theirs)
    assert info.value.as_dict().keys() == {"service_hours"}


def test_a_manager_edits_the_service_hours_on_the_page(world):
    office = _calendar(world)
    service = actions.create_service(actor=world.manager, name="ERP", status="live")
    client = Client()
    client.force_login(world.manager)
    form = client.get(f"/services/{service.pk}/edit").content.decode()
    assert "Office hours (Europe/Berlin)" in form
    response = client.post(
        f"/services/{service.pk}/edit",
        {
            "name": "ERP",
            "kind": "business",
            "status": "live",
            "criticality": "high",
            "service_hours": office.pk,
            "version": service.version,
        },
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.service_hours == office and service.criticality == "high"
    page = client.get(f"/services/{service.pk}/").content.decode()
    assert "Office hours" in page and "Europe/Berlin" in page


def test_a_manager_creates_a_service_and_others_cannot_edit(world):
    client = Client()
    client.force_login(world.manager)
    response = client.post(
        "/services/new",
        {"name": "Payroll", "kind": "business", "status": "pipeline", "criticality": "medium"},
    )
    assert response.status_code == 302
    service = Service.objects.get(name="Payroll")
    for user in (world.agent, world.requester, world.outsider_agent):
        client.force_login(user)
        assert client.get(f"/services/{service.pk}/edit").status_code == 404
        assert client.get("/services/new").status_code == 404


def test_a_stale_form_is_refused_not_overwritten(world):
    service = actions.create_service(actor=world.manager, name="ERP")
    actions.update_service(actor=world.manager, service=service, criticality="low")
    client = Client()
    client.force_login(world.manager)
    html = client.post(
        f"/services/{service.pk}/edit",
        {
            "name": "ERP 2",
            "kind": "business",
            "status": "pipeline",
            "criticality": "high",
            "version": 1,
        },
    ).content.decode()
    assert "Someone else saved this service meanwhile" in html
    service.refresh_from_db()
    assert service.name == "ERP" and service.criticality == "low"
