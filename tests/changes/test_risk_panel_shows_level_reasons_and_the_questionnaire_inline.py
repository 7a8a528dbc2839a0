"""The risk card of a change (DOMAIN.md §2.3 risk, "with the reasons shown"): the level as a
badge, the reasons grouped by method with their level, the score, and the questionnaire inline —
saved by htmx in place or by a plain form post, read-only with the reason once submitted."""

from __future__ import annotations

from serval.changes import actions, panels
from serval.changes.models import RiskAnswer, RiskQuestion
from tests.changes.risk_helpers import client_for, detail, fresh, make_change

HTMX = {"HTTP_HX_REQUEST": "true"}


def _form(change, pick=2, **extra):
    data = {"version": str(fresh(change).version), **extra}
    for q in RiskQuestion.objects.filter(active=True).prefetch_related("options"):
        options = sorted(q.options.all(), key=lambda o: o.score)
        data[f"q{q.pk}"] = str(options[pick].pk)
    return data


def test_the_card_shows_level_reasons_by_method_and_the_questionnaire(world, estate):
    change = make_change(world.agent, cis=(estate.db,))
    html = client_for(world.agent).get(f"/changes/risk/{change.number}/").content.decode()
    assert 'data-risk-level="moderate"' in html
    assert 'data-risk-method="rule"' in html and "Rule calculator" in html
    assert f"Impacts {estate.payroll.name} (criticality high)" in html
    assert "0 of 8 questions answered" in html
    assert html.count('type="radio"') == 24
    assert " style=" not in html and "<script>" not in html


def test_htmx_saves_the_answers_and_swaps_the_card(world):
    change = make_change(world.agent)
    response = client_for(world.agent).post(
        f"/changes/risk/{change.number}/answers", _form(change), **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<section class="card mb-3" id="risk-panel"')
    assert 'data-risk-level="very_high"' in html and "Score 32." in html
    assert 'data-risk-method="questionnaire"' in html
    assert response["Serval-Version"] == str(fresh(change).version)
    assert detail(change).risk == "very_high"


def test_without_javascript_the_form_posts_and_returns_to_the_change(world):
    change = make_change(world.agent)
    client = client_for(world.agent)
    response = client.post(f"/changes/risk/{change.number}/answers", _form(change, pick=0))
    assert response.status_code == 302
    assert response["Location"].endswith("#risk-panel")
    assert detail(change).risk_score == 8
    page = client.get(response["Location"].split("#")[0]).content.decode()
    assert "The risk answers were saved." in page


def test_a_wrong_answer_re_renders_with_the_error_and_writes_nothing(world):
    change = make_change(world.agent)
    first, second = RiskQuestion.objects.filter(active=True).order_by("order")[:2]
    bad = {"version": str(fresh(change).version), f"q{first.pk}": str(second.options.first().pk)}
    client = client_for(world.agent)
    response = client.post(f"/changes/risk/{change.number}/answers", bad)
    assert response.status_code == 422
    assert "Unknown question or answer." in response.content.decode()
    swapped = client.post(f"/changes/risk/{change.number}/answers", bad, **HTMX)
    assert swapped.status_code == 200 and "Unknown question or answer." in swapped.content.decode()
    garbage = client.post(f"/changes/risk/{change.number}/answers", {f"q{first.pk}": "x\x00"})
    assert garbage.status_code == 422
    assert not RiskAnswer.objects.exists()


def test_a_stale_form_is_refused_with_a_reload_hint(world):
    change = make_change(world.agent)
    old = _form(change)
    actions.update_change(actor=world.agent, item=fresh(change), test_plan="Smoke.")
    response = client_for(world.agent).post(f"/changes/risk/{change.number}/answers", old, **HTMX)
    assert "reload it and try again" in response.content.decode()
    assert not RiskAnswer.objects.exists()


def test_after_submission_the_questionnaire_is_read_only_with_the_reason(world):
    change = make_change(world.agent)
    client = client_for(world.agent)
    client.post(f"/changes/risk/{change.number}/answers", _form(change, pick=1))
    actions.transition_change(actor=world.agent, item=fresh(change), to="assess")
    html = client.get(f"/changes/risk/{change.number}/").content.decode()
    assert "data-risk-read-only" in html and "revert the change to New" in html
    assert 'type="radio"' not in html
    response = client.post(f"/changes/risk/{change.number}/answers", _form(change, pick=2))
    assert response.status_code == 422 and detail(change).risk_score == 16


def test_only_agents_of_the_tenant_see_the_card(world):
    change = make_change(world.agent)
    item, d = fresh(change), detail(change)
    shown = [t for t, _c in panels.render(item, d, world.agent)]
    assert "changes/_risk_panel.html" in shown
    assert "changes/_risk_panel.html" not in [
        t for t, _c in panels.render(item, d, world.requester)
    ]
    for user in (world.requester, world.outsider_agent):
        assert client_for(user).get(f"/changes/risk/{change.number}/").status_code == 404
        response = client_for(user).post(f"/changes/risk/{change.number}/answers", _form(change))
        assert response.status_code == 404
    assert client_for(world.agent).get("/changes/risk/CHG-999999/").status_code == 404
