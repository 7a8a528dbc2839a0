"""`GET/PUT /api/v1/changes/risk-policy` (DOMAIN.md §2.3 thresholds, lead time, recent failures):
administrators replace it with If-Match; thresholds must strictly increase; every edit is
journaled on "change_policy" and re-assesses the changes in New in a background task."""

from __future__ import annotations

from serval.changes.models import ChangePolicy
from serval.core.models import JournalEvent
from tests.changes.risk_helpers import answer_all, api_for, assert_problem, detail, make_change
from tests.notifications.conftest import run_queue

POLICY = {
    "moderate_from": 13,
    "high_from": 19,
    "very_high_from": 25,
    "lead_time_hours": 72,
    "recent_failure_days": 90,
    "many_services": 3,
    "success_includes_issues": True,
}


def test_read_replace_journal_and_re_assess_in_the_background(world):
    change = make_change(world.agent)
    answer_all(world.agent, change, pick=1)  # 16: Moderate
    api = api_for(world.admin)
    got = api.get("changes/risk-policy")
    assert got.json()["score_range"] == [8, 32] and got["ETag"] == '"1-1"'
    response = api.put(
        "changes/risk-policy",
        {**POLICY, "moderate_from": 17, "high_from": 20},
        **{"If-Match": got["ETag"]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    event = JournalEvent.objects.get(subject_type="change_policy", subject_id=1)
    assert event.data["changes"] == {"moderate_from": [13, 17], "high_from": [19, 20]}
    assert detail(change).risk == "moderate"  # not yet: the task runs after the request
    ran = run_queue()
    assert any(r.task_path.endswith("reassess_open_changes") for r in ran)
    assert detail(change).risk == "low"
    assert_problem(api.put("changes/risk-policy", POLICY, **{"If-Match": got["ETag"]}), 412)


def test_thresholds_must_strictly_increase_and_limits_hold(world):
    api = api_for(world.admin)
    for bad in (
        {**POLICY, "high_from": 13},
        {**POLICY, "very_high_from": 18},
        {**POLICY, "moderate_from": 0},
        {**POLICY, "lead_time_hours": -1},
        {**POLICY, "recent_failure_days": 10**9},
        {**POLICY, "many_services": "many"},
        {**POLICY, "unknown": 1},
        {k: v for k, v in POLICY.items() if k != "high_from"},
    ):
        assert_problem(api.put("changes/risk-policy", bad), 422)
    assert ChangePolicy.objects.get(pk=1).version == 1
    body = assert_problem(api.put("changes/risk-policy", {**POLICY, "high_from": 12}), 422)
    assert body["errors"][0]["field"] == "high_from"


def test_an_unchanged_policy_writes_nothing_and_only_admins_write(world):
    assert api_for(world.admin).put("changes/risk-policy", POLICY).json()["version"] == 1
    assert not JournalEvent.objects.filter(subject_type="change_policy").exists()
    assert api_for(world.manager).get("changes/risk-policy").status_code == 200
    assert_problem(api_for(world.manager).put("changes/risk-policy", POLICY), 403)
    assert_problem(api_for(world.agent).put("changes/risk-policy", POLICY), 403)


def test_the_success_policy_alone_does_not_re_assess(world):
    api_for(world.admin).put("changes/risk-policy", {**POLICY, "success_includes_issues": False})
    assert not [r for r in run_queue() if r.task_path.endswith("reassess_open_changes")]
