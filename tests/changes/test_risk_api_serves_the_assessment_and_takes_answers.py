"""`GET /api/v1/changes/{number}/risk` and `PUT .../risk/answers` (DOMAIN.md §2.3 risk, issue 5
API): the level, score, answered/total, reasons and questions with the chosen answers; answers
with If-Match; another tenant's change is 404, requesters 403, bad input 422, stale 412."""

from __future__ import annotations

from serval.changes import actions
from serval.changes.models import RiskQuestion
from tests.changes.risk_helpers import api_for, assert_problem, fresh, make_change


def _answers(pick=2):
    out = {}
    for q in RiskQuestion.objects.filter(active=True).prefetch_related("options"):
        out[str(q.pk)] = sorted(q.options.all(), key=lambda o: o.score)[pick].pk
    return out


def test_the_assessment_and_its_questions(world, estate):
    change = make_change(world.agent, cis=(estate.db,))
    response = api_for(world.agent).get(f"changes/{change.number}/risk")
    body = response.json()
    assert response["ETag"] == fresh(change).etag
    assert {
        k: body[k] for k in ("number", "level", "level_label", "score", "answered", "total")
    } == {
        "number": change.number,
        "level": "moderate",
        "level_label": "Moderate",
        "score": None,
        "answered": 0,
        "total": 8,
    }
    assert body["reasons"] == [
        {
            "method": "rule",
            "level": "moderate",
            "text": f"Impacts {estate.payroll.name} (criticality high)",
        }
    ]
    first = body["questions"][0]
    assert first["text"] == "Done this before?" and first["answer"] is None
    assert [o["score"] for o in first["options"]] == [1, 2, 4]
    assert (body["editable"], body["read_only_reason"]) == (True, "")


def test_answers_with_if_match_and_a_stale_tag_is_412(world):
    change = make_change(world.agent)
    api = api_for(world.agent)
    tag = api.get(f"changes/{change.number}/risk")["ETag"]
    response = api.put(
        f"changes/{change.number}/risk/answers", {"answers": _answers()}, **{"If-Match": tag}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["level"], body["score"], body["answered"]) == ("very_high", 32, 8)
    assert response["ETag"] != tag
    stale = api.put(
        f"changes/{change.number}/risk/answers", {"answers": _answers(0)}, **{"If-Match": tag}
    )
    assert_problem(stale, 412)
    assert api.get(f"changes/{change.number}/risk").json()["score"] == 32


def test_null_clears_an_answer(world):
    change = make_change(world.agent)
    api = api_for(world.agent)
    answers = _answers()
    api.put(f"changes/{change.number}/risk/answers", {"answers": answers})
    first = next(iter(answers))
    body = api.put(f"changes/{change.number}/risk/answers", {"answers": {first: None}}).json()
    assert (body["answered"], body["score"], body["level"]) == (7, None, "low")


def test_bad_answers_are_422_with_field_errors(world):
    change = make_change(world.agent)
    api = api_for(world.agent)
    for payload in (
        {"answers": {"abc": 1}},
        {"answers": {"1": "x"}},
        {"answers": {"1": 0}},
        {"answers": []},
        {"answers": {str(n): 1 for n in range(1, 120)}},
        {"answers": {"1": 1}, "extra": True},
        {},
    ):
        assert_problem(api.put(f"changes/{change.number}/risk/answers", payload), 422)
    first, second = RiskQuestion.objects.filter(active=True).order_by("order")[:2]
    wrong = {"answers": {str(first.pk): second.options.first().pk}}
    body = assert_problem(api.put(f"changes/{change.number}/risk/answers", wrong), 422)
    assert body["errors"] == [
        {"field": f"answers.{first.pk}", "message": "Unknown question or answer."}
    ]
    assert_problem(api.put(f"changes/{change.number}/risk/answers", "{not json"), 400)


def test_a_submitted_change_refuses_answers_with_the_reason(world):
    change = make_change(world.agent)
    actions.transition_change(actor=world.agent, item=change, to="assess")
    api = api_for(world.agent)
    body = api.get(f"changes/{change.number}/risk").json()
    assert body["editable"] is False and "revert" in body["read_only_reason"]
    problem = assert_problem(
        api.put(f"changes/{change.number}/risk/answers", {"answers": _answers()}), 422
    )
    assert problem["errors"][0]["field"] == "answers"


def test_other_tenants_and_requesters(world):
    change = make_change(world.agent)
    assert_problem(api_for(world.outsider_agent).get(f"changes/{change.number}/risk"), 404)
    assert_problem(
        api_for(world.outsider_agent).put(f"changes/{change.number}/risk/answers", {"answers": {}}),
        404,
    )
    assert_problem(api_for(world.agent).get("changes/CHG-0/risk"), 404)
    assert_problem(api_for(world.agent).get("changes/" + "9" * 300 + "/risk"), 404)
    # A requester who can see the change (they raised it for their organization) is refused.
    assert_problem(api_for(world.requester).get(f"changes/{change.number}/risk"), 404)
    from serval.changes import actions as change_actions

    theirs = change_actions.update_change(
        actor=world.agent, item=fresh(change), caller=world.requester.pk
    )
    assert_problem(api_for(world.requester).get(f"changes/{theirs.number}/risk"), 403)
    assert_problem(api_for(None).get(f"changes/{change.number}/risk"), 401)
