"""`GET /api/v1/changes/calendar` (issue 5 "API"): the changes planned in a span with their
conflicts' rules and the window occurrences there, filtered by service, team, risk, type and
state; the span is bounded (≤ 366 days, else 422); other tenants' changes and windows never
show; the query count does not grow with the number of changes."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from tests.api.conftest import assert_problem
from tests.changes.conftest import make_change
from tests.changes.schedule.conftest import day, make_window


def _span(**extra):
    return urlencode({"start": day(0, 0).isoformat(), "end": day(30, 0).isoformat(), **extra})


def test_the_calendar_shows_a_change_with_its_blackout_conflict(world, estate, api_as):
    freeze = make_window(world.manager, name="Year-end freeze", cis=[estate.server.pk])
    change = make_change(world.agent, cis=(estate.server,), assignment_group=world.team.pk)
    got = api_as(world.agent).get(f"changes/calendar?{_span()}")
    assert got.status_code == 200, got.content
    body = got.json()
    [row] = body["changes"]
    assert row["number"] == change.number
    assert row["conflicts"] == ["ci_blackout"]
    assert row["assignment_group"]["name"] == world.team.name
    assert [(w["id"], w["kind"]) for w in body["windows"]] == [(freeze.pk, "blackout")]


def test_filters_narrow_the_changes(world, estate, api_as):
    on_payroll = make_change(world.agent, cis=(estate.app,), assignment_group=world.team.pk)
    other = make_change(world.agent2, assignment_group=world.team2.pk, change_type="emergency")
    api = api_as(world.agent)

    def numbers(**f):
        response = api.get(f"changes/calendar?{_span(**f)}")
        assert response.status_code == 200, response.content
        return {c["number"] for c in response.json()["changes"]}

    assert numbers() == {on_payroll.number, other.number}
    assert numbers(service=estate.payroll.pk) == {on_payroll.number}
    assert numbers(team=world.team2.pk) == {other.number}
    assert numbers(type="emergency") == {other.number}
    assert numbers(state="cancelled") == set()
    assert numbers(risk="low,moderate,high,very_high") == {on_payroll.number, other.number}


def test_a_span_over_366_days_or_a_bad_filter_is_a_422(world, api_as):
    api = api_as(world.agent)
    long = urlencode({"start": day(0, 0).isoformat(), "end": day(400, 0).isoformat()})
    assert assert_problem(api.get(f"changes/calendar?{long}"), 422)["errors"][0]["field"] == "end"
    assert_problem(api.get("changes/calendar"), 422)
    assert (
        assert_problem(api.get(f"changes/calendar?{_span(risk='extreme')}"), 422)["errors"][0][
            "field"
        ]
        == "risk"
    )
    assert_problem(api.get(f"changes/calendar?{_span(team='1 OR 1=1')}"), 422)


def test_other_tenants_changes_and_windows_are_never_shown(world, estate, api_as):
    make_window(world.manager)
    make_change(world.agent, cis=(estate.server,))
    body = api_as(world.outsider_agent).get(f"changes/calendar?{_span()}").json()
    assert body["changes"] == [] and body["windows"] == []
    assert_problem(api_as(world.requester).get(f"changes/calendar?{_span()}"), 403)


def test_the_calendar_costs_the_same_queries_for_one_change_as_for_twenty(
    world, estate, api_as, django_assert_max_num_queries
):
    make_window(world.manager, rrule="FREQ=DAILY;COUNT=20")
    for n in range(20):
        start = day(1 + n, 10)
        make_change(
            world.agent,
            assignment_group=world.team.pk,
            assignee=world.agent.pk,
            planned_start=start,
            planned_end=start + timedelta(hours=1),
        )
    api = api_as(world.agent)
    # token, last-used stamp, grants (reach), changes, conflicts, windows.
    with django_assert_max_num_queries(7):
        response = api.get(f"changes/calendar?{_span()}")
    assert len(response.json()["changes"]) == 20
