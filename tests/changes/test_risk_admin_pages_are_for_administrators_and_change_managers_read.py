"""The questionnaire and policy pages (DOMAIN.md §2.3): administrators add and edit questions and
the policy, with errors re-rendered and nothing written; change managers read; everyone else
gets a 404."""

from __future__ import annotations

from serval.changes.models import ChangePolicy, RiskQuestion
from tests.changes.risk_helpers import answer_all, client_for, make_change

POLICY = {
    "moderate_from": "13",
    "high_from": "19",
    "very_high_from": "25",
    "lead_time_hours": "72",
    "recent_failure_days": "90",
    "many_services": "3",
    "success_includes_issues": "on",
    "version": "1",
}


def test_the_list_shows_questions_answers_weights_and_the_bands(world):
    html = client_for(world.manager).get("/changes/risk/questions/").content.decode()
    assert "Done this before?" in html and "Routinely" in html and "×1" in html
    assert "Totals from 8 to 32" in html
    assert "13–18" in html and "25 and above" in html
    assert "New question" not in html  # managers read only
    assert " style=" not in html


def test_an_admin_adds_a_question_from_the_form(world):
    client = client_for(world.admin)
    assert client.get("/changes/risk/questions/new").status_code == 200
    response = client.post(
        "/changes/risk/questions/new",
        {
            "text": "Weekend work?",
            "weight": "2",
            "active": "on",
            "option_label_0": "No",
            "option_score_0": "0",
            "option_label_1": "Yes",
            "option_score_1": "3",
            "option_label_2": "",
            "option_score_2": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    question = RiskQuestion.objects.get(text="Weekend work?")
    assert [(o.label, o.score) for o in question.options.order_by("order")] == [
        ("No", 0),
        ("Yes", 3),
    ]


def test_errors_re_render_with_what_was_typed(world):
    client = client_for(world.admin)
    response = client.post(
        "/changes/risk/questions/new",
        {"text": "Needs a score", "weight": "1", "active": "on", "option_label_0": "Maybe"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Give this answer a score." in html
    assert 'value="Maybe"' in html and 'value="Needs a score"' in html
    response = client.post(
        "/changes/risk/questions/new", {"text": "No answers", "weight": "1", "active": "on"}
    )
    assert "An active question needs at least one answer." in response.content.decode()
    assert not RiskQuestion.objects.filter(text__in=["Needs a score", "No answers"]).exists()


def test_editing_a_question_some_change_answered_keeps_the_chosen_answers(world):
    change = make_change(world.agent)
    answer_all(world.agent, change, pick=0)
    question = RiskQuestion.objects.order_by("order").first()
    client = client_for(world.admin)
    page = client.get(f"/changes/risk/questions/{question.pk}/").content.decode()
    assert "Changes already chose some answers" in page
    options = list(question.options.order_by("order"))
    data = {"text": question.text, "weight": "1", "active": "on", "version": "1"}
    for i, o in enumerate(options):
        data.update(
            {
                f"option_id_{i}": str(o.pk),
                f"option_label_{i}": "" if i == 0 else o.label,
                f"option_score_{i}": str(o.score),
            }
        )
    response = client.post(f"/changes/risk/questions/{question.pk}/", data)
    assert "Changes chose Routinely" in response.content.decode()
    assert question.options.count() == 3


def test_the_policy_page_validates_and_saves(world):
    client = client_for(world.admin)
    assert (
        "Saving re-assesses the 0 changes in New"
        in client.get("/changes/risk/policy/").content.decode()
    )
    bad = client.post("/changes/risk/policy/", {**POLICY, "high_from": "12"})
    assert "Must be above the Moderate threshold (13)." in bad.content.decode()
    assert ChangePolicy.objects.get(pk=1).high_from == 19
    good = client.post("/changes/risk/policy/", {**POLICY, "lead_time_hours": "48"})
    assert good.status_code == 302
    assert ChangePolicy.objects.get(pk=1).lead_time_hours == 48
    stale = client.post("/changes/risk/policy/", {**POLICY, "lead_time_hours": "24"})
    assert "reload it and try again" in stale.content.decode()


def test_who_may_see_and_edit(world):
    manager = client_for(world.manager)
    page = manager.get("/changes/risk/policy/").content.decode()
    assert "Read only" in page and "disabled" in page and "Save policy" not in page
    assert manager.post("/changes/risk/policy/", POLICY).status_code == 404
    assert manager.get("/changes/risk/questions/new").status_code == 404
    for user in (world.agent, world.requester):
        client = client_for(user)
        for url in (
            "/changes/risk/questions/",
            "/changes/risk/policy/",
            "/changes/risk/questions/1/",
        ):
            assert client.get(url).status_code == 404, (user, url)
    assert client_for(world.admin).get("/changes/risk/questions/999999/").status_code == 404
    assert client_for(world.admin).post("/changes/risk/questions/999999/delete").status_code == 404
