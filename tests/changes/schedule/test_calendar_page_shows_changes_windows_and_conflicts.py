"""The change calendar page (issue 5 "Schedule and conflicts"): month, week and list views in
the person's time zone, windows drawn behind the changes and told apart in words, conflicts
highlighted and listed, filters, prev/next/today links; agents only (others 404); the query
count stays the same for one change as for twenty."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.test import Client

from tests import factories as f
from tests.changes.conftest import make_change
from tests.changes.schedule.conftest import day, make_window, window


def _client(user) -> Client:
    client = Client()
    client.login(username=user.username, password=f.PASSWORD)
    return client


@pytest.mark.parametrize("view", ["month", "week", "list"])
def test_each_view_shows_the_change_its_conflict_and_the_blackout(world, estate, view):
    freeze = make_window(world.manager, name="Year-end freeze", cis=[estate.server.pk])
    change = make_change(world.agent, cis=(estate.server,), title="Patch the kernel")
    start, _end = window()
    page = _client(world.agent).get(f"/changes/calendar/?view={view}&date={start:%Y-%m-%d}")
    assert page.status_code == 200
    html = page.content.decode()
    assert change.number in html and "Patch the kernel" in html
    assert "Year-end freeze" in html and "Blackout" in html
    # Listed under "Conflicts in this period", explained.
    assert f"{estate.server.name} is in the blackout window “Year-end freeze”" in html
    if view != "list":
        assert "has-conflict" in html and f"/changes/windows/{freeze.pk}/" in html


def test_times_are_shown_in_the_persons_time_zone(world, estate):
    from serval.people.models import User

    User.objects.filter(pk=world.agent.pk).update(time_zone="Asia/Kolkata")
    start, _end = window()  # 22:00 UTC = 03:30 the next day in Kolkata
    make_change(world.agent)
    # The week holding that Kolkata day: when the UTC day is a Sunday, it is the next week.
    local = start.astimezone(zoneinfo.ZoneInfo("Asia/Kolkata"))
    html = _client(world.agent).get(f"/changes/calendar/?view=week&date={local:%Y-%m-%d}")
    assert "03:30" in html.content.decode()


def test_filters_and_navigation_links_keep_each_other(world, estate):
    make_change(world.agent, assignment_group=world.team.pk, title="Team change")
    make_change(world.agent2, assignment_group=world.team2.pk, title="Other team change")
    start, _end = window()
    html = (
        _client(world.agent)
        .get(f"/changes/calendar/?view=month&date={start:%Y-%m-%d}&team={world.team.pk}")
        .content.decode()
    )
    assert "Team change" in html and "Other team change" not in html
    assert (
        f"team={world.team.pk}" in html.split('data-calendar-nav="next"')[0].rsplit("href=", 1)[1]
    )


def test_a_bad_filter_or_date_is_shown_not_a_500(world):
    page = _client(world.agent).get("/changes/calendar/?risk=extreme&date=99999-01-01&view=x")
    assert page.status_code == 200
    assert "risk" in page.content.decode()


def test_requesters_and_anonymous_visitors_get_no_calendar(world):
    assert _client(world.requester).get("/changes/calendar/").status_code == 404
    assert Client().get("/changes/calendar/").status_code == 302  # to the login page


def test_the_month_costs_the_same_queries_for_one_change_as_for_twenty(
    world, estate, django_assert_max_num_queries
):
    make_window(world.manager, rrule="FREQ=DAILY;COUNT=30", name="Nightly")
    make_window(world.manager, kind="maintenance", name="Slot", cis=[estate.server.pk])
    client = _client(world.agent)
    start, _end = window()
    url = f"/changes/calendar/?view=month&date={start:%Y-%m-%d}"
    make_change(world.agent, cis=(estate.server,))
    client.get(url)
    with django_assert_max_num_queries(12) as one:
        client.get(url)
    for n in range(19):
        begin = day(10 + n % 5, 8 + n % 10)
        make_change(
            world.agent,
            cis=(estate.server,),
            assignment_group=world.team.pk,
            planned_start=begin,
            planned_end=begin + timedelta(hours=1),
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('class="cal-bar') >= 20
