"""Calendar and definition admin pages are for role admin; everyone else gets a 404, never a
403 (SECURITY-REFERENCE A1); the compliance report is for agents and above."""

import pytest
from django.test import Client

from serval.sla.models import BusinessCalendar, SlaDefinition

ADMIN_PAGES = [
    "/sla/calendars/",
    "/sla/calendars/new",
    "/sla/definitions/",
    "/sla/definitions/new",
    "/sla/definitions/preview?amount=1&unit=hours&time_zone_source=definition",
]


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["agent", "manager", "requester"])
def test_non_admins_get_404(world, who):
    client = _client(getattr(world, who))
    calendar = BusinessCalendar.objects.first()
    definition = SlaDefinition.objects.first()
    for url in [
        *ADMIN_PAGES,
        f"/sla/calendars/{calendar.pk}/",
        f"/sla/definitions/{definition.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post("/sla/calendars/new", {"name": "x"}).status_code == 404
    assert not BusinessCalendar.objects.filter(name="x").exists()


def test_admins_get_every_page_and_the_user_menu_link(world):
    client = _client(world.admin)
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 200, url
    assert 'href="/sla/definitions/"' in client.get("/").content.decode()


def test_report_is_for_agents_and_not_requesters(world):
    assert _client(world.agent).get("/sla/report/").status_code == 200
    assert _client(world.requester).get("/sla/report/").status_code == 404
    agent_menu = _client(world.agent).get("/").content.decode()
    assert 'href="/sla/report/"' in agent_menu and 'href="/sla/definitions/"' not in agent_menu


def test_other_tenants_calendars_are_404_to_edit(world):
    from serval.sla import actions

    theirs = actions.create_calendar(
        actor=_other_admin(world), name="Other hours", time_zone="UTC", week={}
    )
    assert _client(world.admin).get(f"/sla/calendars/{theirs.pk}/").status_code == 404


def _other_admin(world):
    from tests import factories as f

    return f.make_user("admin", world.other_tenant, "other-admin")
