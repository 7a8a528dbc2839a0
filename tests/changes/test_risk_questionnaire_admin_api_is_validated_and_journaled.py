"""`/api/v1/changes/risk-questions` (DOMAIN.md §2.3 "configurable questions, weights"):
administrators add, replace and delete questions with their answers; change managers read;
every edit is journaled on the question; answers some change chose stay; bad input is 422."""

from __future__ import annotations

from serval.changes.models import RiskAnswer, RiskOption, RiskQuestion
from serval.core.models import JournalEvent
from tests.changes.risk_helpers import answer_all, api_for, assert_problem, make_change

NEW = {
    "text": "Vendor involved?",
    "help_text": "Third parties on the call.",
    "weight": 2,
    "options": [{"label": "No", "score": 0}, {"label": "Yes", "score": 3}],
}


def test_an_admin_adds_a_question_and_it_is_journaled(world):
    response = api_for(world.admin).post("changes/risk-questions", NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["text"], body["weight"], body["active"], body["order"]) == (
        "Vendor involved?",
        2,
        True,
        9,
    )
    assert [(o["label"], o["score"]) for o in body["options"]] == [("No", 0), ("Yes", 3)]
    assert response["ETag"] == f'"{body["id"]}-1"'
    event = JournalEvent.objects.get(subject_type="risk_question", subject_id=body["id"])
    assert (event.verb, event.actor_id, event.data["weight"]) == ("created", world.admin.pk, 2)


def test_replacing_keeps_ids_relabels_adds_and_removes_options(world):
    api = api_for(world.admin)
    created = api.post("changes/risk-questions", NEW).json()
    no, yes = created["options"]
    replaced = api.put(
        f"changes/risk-questions/{created['id']}",
        {
            "text": "Vendor on site?",
            "weight": 1,
            "active": True,
            "options": [
                {"id": yes["id"], "label": "Yes, on site", "score": 4},
                {"label": "Remote", "score": 2},
            ],
        },
        **{"If-Match": f'"{created["id"]}-1"'},
    )
    assert replaced.status_code == 200, replaced.content
    body = replaced.json()
    assert [(o["label"], o["score"]) for o in body["options"]] == [
        ("Yes, on site", 4),
        ("Remote", 2),
    ]
    assert body["options"][0]["id"] == yes["id"] and body["version"] == 2
    assert not RiskOption.objects.filter(pk=no["id"]).exists()
    event = JournalEvent.objects.filter(
        subject_type="risk_question", subject_id=created["id"]
    ).last()
    assert event.verb == "updated" and set(event.data["changes"]) == {
        "text",
        "help_text",
        "weight",
        "options",
    }
    stale = api.put(
        f"changes/risk-questions/{created['id']}", {**NEW}, **{"If-Match": f'"{created["id"]}-1"'}
    )
    assert_problem(stale, 412)


def test_an_option_a_change_chose_cannot_be_removed_and_an_answered_question_not_deleted(world):
    change = make_change(world.agent)
    answer_all(world.agent, change, pick=0)
    question = RiskQuestion.objects.filter(active=True).order_by("order").first()
    chosen = RiskAnswer.objects.get(change_id=change.pk, question=question).option
    api = api_for(world.admin)
    others = [
        {"id": o.pk, "label": o.label, "score": o.score}
        for o in question.options.exclude(pk=chosen.pk)
    ]
    body = assert_problem(
        api.put(
            f"changes/risk-questions/{question.pk}", {"text": question.text, "options": others}
        ),
        422,
    )
    assert body["errors"][0]["field"] == "options" and chosen.label in body["errors"][0]["message"]
    assert_problem(api.delete(f"changes/risk-questions/{question.pk}"), 422)
    # Retiring it is the way: it is then not asked any more.
    retired = api.put(
        f"changes/risk-questions/{question.pk}",
        {
            "text": question.text,
            "active": False,
            "options": [
                {"id": o.pk, "label": o.label, "score": o.score} for o in question.options.all()
            ],
        },
    )
    assert retired.status_code == 200 and retired.json()["active"] is False
    fresh_q = api.post("changes/risk-questions", NEW).json()
    assert api.delete(f"changes/risk-questions/{fresh_q['id']}").status_code == 204
    assert JournalEvent.objects.filter(
        subject_type="risk_question", subject_id=fresh_q["id"], verb="deleted"
    ).exists()
    assert_problem(api.get(f"changes/risk-questions/{fresh_q['id']}"), 404)


def test_validation_scores_weights_labels_and_at_least_one_option(world):
    api = api_for(world.admin)
    for bad in (
        {**NEW, "options": []},
        {**NEW, "options": [{"label": "A", "score": -1}]},
        {**NEW, "options": [{"label": "A", "score": 1}, {"label": "a", "score": 2}]},
        {**NEW, "options": [{"label": "", "score": 1}]},
        {**NEW, "weight": 0},
        {**NEW, "text": "   "},
        {**NEW, "text": "x\x00y"},
        {**NEW, "options": [{"id": 999999, "label": "A", "score": 1}]},
        {**NEW, "options": [{"label": "A", "score": 1}] * 21},
        {**NEW, "colour": "red"},
    ):
        assert_problem(api.post("changes/risk-questions", bad), 422)
    # A retired question may have no answers at all.
    assert (
        api.post("changes/risk-questions", {**NEW, "active": False, "options": []}).status_code
        == 201
    )


def test_managers_read_agents_and_requesters_are_refused(world):
    listing = api_for(world.manager).get("changes/risk-questions?limit=3")
    assert listing.status_code == 200
    page = listing.json()
    assert len(page["items"]) == 3 and page["next"]
    rest = api_for(world.manager).get(page["next"].split("/api/v1/")[1]).json()
    assert [q["order"] for q in rest["items"]] == [4, 5, 6]
    assert_problem(api_for(world.manager).post("changes/risk-questions", NEW), 403)
    for user in (world.agent, world.requester):
        assert_problem(api_for(user).get("changes/risk-questions"), 403)
        assert_problem(api_for(user).get("changes/risk-policy"), 403)
    assert_problem(api_for(world.manager).get("changes/risk-questions?cursor=forged"), 422)
    assert_problem(api_for(world.manager).get("changes/risk-questions/0"), 422)
