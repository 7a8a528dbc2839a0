"""`/api/v1/changes/windows` CRUD and occurrences (DOMAIN.md §2.3 "Schedule"): change managers
write, agents read, requesters are refused, other tenants' windows are 404 and their records
cannot be referenced; bad input is a problem+json 422; the span of occurrences is bounded."""

from __future__ import annotations

from datetime import timedelta

from serval.changes.models import ChangeWindow
from tests.api.conftest import assert_problem
from tests.changes.schedule.conftest import day, make_window


def _body(**extra):
    start = day(10, 22)
    return {
        "kind": "maintenance",
        "name": "Sunday patching",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=4)).isoformat(),
        "rrule": "FREQ=DAILY;COUNT=30",
        "time_zone": "Europe/Berlin",
        "is_global": True,
        **extra,
    }


def test_a_manager_creates_reads_updates_and_deletes_a_window(world, api_as):
    api = api_as(world.manager)
    made = api.post("changes/windows", _body())
    assert made.status_code == 201, made.content
    window = made.json()
    assert (window["kind"], window["rrule"], window["version"]) == (
        "maintenance",
        "FREQ=DAILY;COUNT=30",
        1,
    )
    got = api.get(f"changes/windows/{window['id']}")
    assert got.status_code == 200
    changed = api.patch(
        f"changes/windows/{window['id']}", {"name": "Nightly patching"}, **{"If-Match": got["ETag"]}
    )
    assert changed.status_code == 200 and changed.json()["name"] == "Nightly patching"
    stale = api.patch(
        f"changes/windows/{window['id']}", {"name": "Again"}, **{"If-Match": got["ETag"]}
    )
    assert_problem(stale, 412)
    listed = api.get("changes/windows?kind=maintenance").json()
    assert [w["id"] for w in listed["items"]] == [window["id"]]
    assert api.delete(f"changes/windows/{window['id']}").status_code == 204
    assert not ChangeWindow.objects.exists()


def test_occurrences_of_a_recurring_window_in_a_span(world, api_as):
    window = make_window(
        world.manager,
        starts_at=day(10, 22),
        ends_at=day(10, 22) + timedelta(hours=2),
        rrule="FREQ=DAILY;COUNT=30",
    )
    api = api_as(world.agent)
    start = day(9, 0).isoformat().replace("+", "%2B")
    end = day(15, 0).isoformat().replace("+", "%2B")
    got = api.get(f"changes/windows/{window.pk}/occurrences?start={start}&end={end}")
    assert got.status_code == 200, got.content
    assert len(got.json()) == 5  # days 10 to 14


def test_a_span_over_366_days_is_a_clear_422(world, api_as):
    window = make_window(world.manager)
    api = api_as(world.agent)
    body = assert_problem(
        api.get(
            f"changes/windows/{window.pk}/occurrences?start=2026-01-01T00:00:00Z"
            "&end=2027-01-03T00:00:00Z"
        ),
        422,
    )
    assert body["errors"][0]["field"] == "end"
    assert_problem(api.get(f"changes/windows/{window.pk}/occurrences"), 422)


def test_agents_cannot_write_and_requesters_cannot_read(world, api_as):
    assert_problem(api_as(world.agent).post("changes/windows", _body()), 403)
    assert_problem(api_as(world.requester).get("changes/windows"), 403)


def test_another_tenants_window_is_not_found_and_its_records_cannot_be_referenced(world, api_as):
    window = make_window(world.manager)
    outsider = api_as(world.outsider_agent)
    assert_problem(outsider.get(f"changes/windows/{window.pk}"), 404)
    assert outsider.get("changes/windows").json()["items"] == []
    api = api_as(world.manager)
    body = assert_problem(
        api.post("changes/windows", _body(is_global=False, teams=[world.outsider_team.pk])), 422
    )
    assert body["errors"][0]["field"] == "teams"


def test_bad_input_is_a_field_error(world, api_as):
    api = api_as(world.manager)
    for extra, field in (
        ({"rrule": "FREQ=SECONDLY"}, "rrule"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"kind": "party"}, "kind"),
        ({"starts_at": "2026-01-01T00:00:00"}, "starts_at"),  # no time zone
        ({"colour": "red"}, "colour"),
        ({"name": "x\x00y"}, "name"),
    ):
        body = assert_problem(api.post("changes/windows", _body(**extra)), 422)
        assert field in {e["field"] for e in body["errors"]}, (extra, body)
    assert not ChangeWindow.objects.exists()


def test_listing_twenty_windows_takes_a_constant_number_of_queries(
    world, estate, api_as, django_assert_max_num_queries
):
    for n in range(20):
        make_window(world.manager, name=f"w{n}", cis=[estate.server.pk], teams=[world.team.pk])
    api = api_as(world.agent)
    # token, last-used stamp, grants (reach), the page, and one per scope list.
    with django_assert_max_num_queries(8):
        response = api.get("changes/windows?limit=50")
    assert len(response.json()["items"]) == 20
