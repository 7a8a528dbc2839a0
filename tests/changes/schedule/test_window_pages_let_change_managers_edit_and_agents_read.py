"""The window pages (DOMAIN.md §2.3 "Schedule"): change managers create, edit, switch off and
delete windows through forms that show the action's errors and save nothing on error; agents
read the list and each window; requesters and other tenants get 404; the list's query count
does not grow with the number of windows."""

from __future__ import annotations

from django.test import Client

from serval.changes.models import ChangeWindow
from tests import factories as f
from tests.changes.schedule.conftest import day, make_window


def _client(user) -> Client:
    client = Client()
    client.login(username=user.username, password=f.PASSWORD)
    return client


def _form(**extra):
    start = day(12, 2)
    return {
        "name": "Patch night",
        "kind": "maintenance",
        "description": "",
        "time_zone": "Europe/Berlin",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": start.replace(hour=6).strftime("%Y-%m-%dT%H:%M"),
        "repeat": "FREQ=WEEKLY",
        "until": "",
        "rrule": "",
        "is_global": "on",
        "exempt_emergency": "on",
        "active": "on",
        **extra,
    }


def test_a_manager_creates_a_weekly_window_in_its_zone(world, estate):
    client = _client(world.manager)
    response = client.post("/changes/windows/new", _form(cis=estate.server.name))
    assert response.status_code == 302, response.content.decode()[:2000]
    window = ChangeWindow.objects.get()
    assert window.rrule == "FREQ=WEEKLY" and window.time_zone == "Europe/Berlin"
    assert window.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin")).hour == 2
    assert list(window.cis.all()) == [estate.server]
    page = client.get(f"/changes/windows/{window.pk}/").content.decode()
    assert "Patch night" in page and "Next occurrences" in page


def test_errors_are_shown_and_nothing_is_saved(world):
    client = _client(world.manager)
    response = client.post(
        "/changes/windows/new", _form(repeat="custom", rrule="FREQ=SECONDLY", cis="no-such-ci")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unknown CI: no-such-ci." in html
    response = client.post("/changes/windows/new", _form(repeat="custom", rrule="FREQ=SECONDLY"))
    assert "FREQ must be one of" in response.content.decode()
    assert not ChangeWindow.objects.exists()


def test_a_manager_edits_switches_off_and_deletes(world):
    window = make_window(world.manager, name="Freeze")
    client = _client(world.manager)
    form = client.get(f"/changes/windows/{window.pk}/edit")
    assert form.status_code == 200 and "Freeze" in form.content.decode()
    start = window.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("UTC"))
    data = _form(
        name="Year-end freeze",
        kind="blackout",
        time_zone="UTC",
        starts_at=start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=window.ends_at.strftime("%Y-%m-%dT%H:%M"),
        repeat="",
        version=str(window.version),
    )
    assert client.post(f"/changes/windows/{window.pk}/edit", data).status_code == 302
    assert ChangeWindow.objects.get().name == "Year-end freeze"
    assert client.post(f"/changes/windows/{window.pk}/toggle").status_code == 302
    assert ChangeWindow.objects.get().active is False
    assert client.post(f"/changes/windows/{window.pk}/delete").status_code == 302
    assert not ChangeWindow.objects.exists()


def test_agents_read_but_cannot_edit(world):
    window = make_window(world.manager)
    client = _client(world.agent)
    assert client.get("/changes/windows/").status_code == 200
    assert client.get(f"/changes/windows/{window.pk}/").status_code == 200
    assert client.get("/changes/windows/new").status_code == 404
    assert client.get(f"/changes/windows/{window.pk}/edit").status_code == 404
    assert client.post(f"/changes/windows/{window.pk}/delete").status_code == 404
    assert ChangeWindow.objects.exists()


def test_requesters_and_other_tenants_get_404(world):
    window = make_window(world.manager)
    assert _client(world.requester).get("/changes/windows/").status_code == 404
    outsider = _client(world.outsider_agent)
    assert outsider.get(f"/changes/windows/{window.pk}/").status_code == 404
    assert outsider.get("/changes/windows/").content.decode().count("/changes/windows/1/") == 0


def test_the_list_costs_the_same_queries_for_one_window_as_for_twenty(
    world, estate, django_assert_max_num_queries
):
    client = _client(world.agent)
    make_window(world.manager, cis=[estate.server.pk], teams=[world.team.pk])
    client.get("/changes/windows/")
    with django_assert_max_num_queries(20) as one:
        client.get("/changes/windows/")
    for n in range(19):
        make_window(world.manager, name=f"w{n}", cis=[estate.server.pk], rrule="FREQ=DAILY")
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get("/changes/windows/").content.decode()
    assert html.count('class="fw-semibold"') >= 20
