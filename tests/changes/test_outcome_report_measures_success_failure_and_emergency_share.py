"""Change success rate, change failure rate and emergency share (DOMAIN.md §2.12): success =
Successful (+ with issues, by policy) ÷ closed; failure = Unsuccessful or incident-causing ÷
implemented; emergency share ÷ implemented — over the changes implemented in the period, of the
reader's tenants only."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from serval.changes import questionnaire, reports
from tests.changes.outcome_helpers import build_history
from tests.changes.risk_helpers import api_for, assert_problem


def test_the_totals_over_the_cohort(world, estate):
    build_history(world, estate)
    totals = reports.outcomes(world.agent).totals.as_dict()
    assert totals == {
        "key": "",
        "label": "All changes",
        "implemented": 4,
        "closed": 3,
        "successful": 1,
        "successful_with_issues": 1,
        "unsuccessful": 1,
        "incident_causing": 1,
        "failed": 2,
        "emergency": 1,
        "success_rate": 66.7,
        "failure_rate": 50.0,
        "emergency_share": 25.0,
    }


def test_with_issues_stops_counting_as_success_when_the_policy_says_so(world, estate):
    build_history(world, estate)
    questionnaire.update_policy(actor=world.admin, success_includes_issues=False)
    report = reports.outcomes(world.agent)
    assert (report.success_includes_issues, report.totals.success_rate) == (False, 33.3)


def test_the_api_serves_the_same_numbers_for_a_period(world, estate):
    build_history(world, estate)
    api = api_for(world.agent)
    today = timezone.localdate()
    body = api.get(f"changes/reports/outcomes?from={today}&to={today}&group_by=type").json()
    assert body["from"] == str(today) and body["group_by"] == "type"
    assert body["totals"]["failure_rate"] == 50.0
    assert [(r["key"], r["implemented"]) for r in body["rows"]] == [("normal", 3), ("emergency", 1)]
    later = today + timedelta(days=1)
    empty = api.get(f"changes/reports/outcomes?from={later}").json()
    assert empty["totals"]["implemented"] == 0 and empty["rows"] == []
    assert empty["totals"]["success_rate"] is None


def test_bad_parameters_are_422_and_requesters_403(world):
    api = api_for(world.agent)
    for query in (
        "group_by=colour",
        "from=yesterday",
        "from=2026-02-30",
        "from=2026-05-01&to=2026-04-01",
        "from=1900-01-01&to=2990-01-01",
        "to=" + "9" * 50,
    ):
        assert_problem(api.get(f"changes/reports/outcomes?{query}"), 422)
    # The period errors name the parameter the client sent.
    for query in ("from=2026-05-01&to=2026-04-01", "from=1900-01-01&to=2990-01-01"):
        errors = assert_problem(api.get(f"changes/reports/outcomes?{query}"), 422)["errors"]
        assert [e["field"] for e in errors] == ["to"], errors
    assert_problem(api_for(world.requester).get("changes/reports/outcomes"), 403)
    assert_problem(api_for(None).get("changes/reports/outcomes"), 401)
