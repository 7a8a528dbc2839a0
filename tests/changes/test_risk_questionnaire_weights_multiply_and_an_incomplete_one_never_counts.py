"""The questionnaire's total is Σ weight × chosen score over the asked questions, and it counts
only once every asked question is answered (DOMAIN.md §2.3 "weighted answers summed")."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from serval.changes import questionnaire, risk
from serval.changes.models import RiskQuestion
from tests.changes.risk_helpers import answer_all, detail, fresh, make_change

WEIGHTS = st.dictionaries(st.integers(1, 50), st.integers(1, 100), min_size=1, max_size=10)


@given(weights=WEIGHTS, data=st.data())
def test_the_total_is_the_weighted_sum_once_every_question_is_answered(weights, data):
    scores = {q: data.draw(st.integers(0, 1000)) for q in weights}
    assert risk.questionnaire_score(weights, scores) == sum(weights[q] * scores[q] for q in weights)


@given(weights=WEIGHTS, data=st.data())
def test_a_missing_answer_means_no_total(weights, data):
    scores = {q: data.draw(st.integers(0, 1000)) for q in weights}
    missing = data.draw(st.sampled_from(sorted(weights)))
    del scores[missing]
    extra = {10_000 + q: 5 for q in range(data.draw(st.integers(0, 3)))}  # inactive questions
    assert risk.questionnaire_score(weights, {**scores, **extra}) is None


def test_no_questions_means_no_total():
    assert risk.questionnaire_score({}, {}) is None


def test_a_weight_of_three_triples_that_answer(world):
    question = RiskQuestion.objects.filter(active=True).order_by("order").first()
    questionnaire.update_question(actor=world.admin, question=question, weight=3)
    change = make_change(world.agent)
    answer_all(world.agent, change, pick=2)  # every answer scores 4
    assert detail(change).risk_score == 3 * 4 + 7 * 4


def test_seven_of_eight_answers_leave_the_questionnaire_out(world):
    change = make_change(world.agent)
    questions = list(RiskQuestion.objects.filter(active=True).prefetch_related("options"))
    answers = {q.pk: max(q.options.all(), key=lambda o: o.score).pk for q in questions[:-1]}
    risk.answer(actor=world.agent, item=change, answers=answers)
    stored = detail(change)
    assert stored.risk_score is None
    assert stored.risk == "low"  # 28 points answered, but an incomplete questionnaire says nothing
    assert all(r["method"] == "rule" for r in stored.risk_reasons)

    last = questions[-1]
    risk.answer(actor=world.agent, item=fresh(change), answers={last.pk: last.options.first().pk})
    assert detail(change).risk_score == 29
    assert detail(change).risk == "very_high"


def test_clearing_an_answer_takes_the_questionnaire_out_again(world):
    change = make_change(world.agent)
    answer_all(world.agent, change, pick=2)
    assert detail(change).risk == "very_high"
    first = RiskQuestion.objects.filter(active=True).order_by("order").first()
    risk.answer(actor=world.agent, item=fresh(change), answers={first.pk: None})
    assert (detail(change).risk_score, detail(change).risk) == (None, "low")


def test_retiring_a_question_drops_its_answer_from_the_total(world):
    change = make_change(world.agent)
    answer_all(world.agent, change, pick=2)
    first = RiskQuestion.objects.filter(active=True).order_by("order").first()
    questionnaire.update_question(actor=world.admin, question=first, active=False)
    from tests.notifications.conftest import run_queue

    run_queue()  # the re-assessment runs in the background
    assert detail(change).risk_score == 28
