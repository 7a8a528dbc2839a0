"""Both risk methods are applied and the highest result wins (DOMAIN.md §2.3 [29]): whatever the
questionnaire, its weights, thresholds and answers and whatever the rules find, the stored level
is the highest level among the stored reasons, and Low when there are none."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serval.changes import questionnaire, risk
from serval.changes.models import RISK_ORDER, Risk, RiskQuestion
from tests.changes.risk_helpers import detail, fresh, make_change

LEVELS = st.sampled_from(list(Risk.values))
BOUNDED = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    """Each example writes in a savepoint that is undone, so examples never see each other."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


@given(levels=st.lists(LEVELS, max_size=12))
def test_highest_picks_the_top_rank_and_low_for_nothing(levels):
    top = risk.highest(levels)
    assert all(RISK_ORDER[Risk(top)] >= RISK_ORDER[Risk(level)] for level in levels)
    assert top in levels or (not levels and top == Risk.LOW)


QUESTIONS = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=5),  # weight
        st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=4),  # scores
    ),
    min_size=1,
    max_size=4,
)


@BOUNDED
@given(
    questions=QUESTIONS,
    picks=st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=3)), max_size=4),
    thresholds=st.lists(
        st.integers(min_value=1, max_value=80), min_size=3, max_size=3, unique=True
    ).map(sorted),
    emergency=st.booleans(),
    critical=st.booleans(),
)
def test_the_stored_level_is_the_highest_stored_reason(
    world, estate, questions, picks, thresholds, emergency, critical
):
    with rolled_back():
        for old in RiskQuestion.objects.filter(active=True):
            questionnaire.update_question(actor=world.admin, question=old, active=False)
        made = [
            questionnaire.create_question(
                actor=world.admin,
                text=f"Q{n}",
                weight=weight,
                options=[{"label": f"A{i}", "score": s} for i, s in enumerate(scores)],
            )
            for n, (weight, scores) in enumerate(questions)
        ]
        questionnaire.update_policy(
            actor=world.admin,
            moderate_from=thresholds[0],
            high_from=thresholds[1],
            very_high_from=thresholds[2],
        )
        change = make_change(
            world.agent,
            change_type="emergency" if emergency else "normal",
            cis=(estate.db,) if critical else (),
        )
        answers = {}
        for question, pick in zip(made, picks, strict=False):
            if pick is not None:
                options = list(question.options.order_by("order"))
                answers[question.pk] = options[pick % len(options)].pk
        if answers:
            risk.answer(actor=world.agent, item=fresh(change), answers=answers)

        stored = detail(change)
        levels = [r["level"] for r in stored.risk_reasons]
        assert stored.risk == (risk.highest(levels) if levels else Risk.LOW)
        complete = len(answers) == len(made)
        if complete:
            expected = sum(q.weight * q.options.get(pk=answers[q.pk]).score for q in made)
            assert stored.risk_score == expected
            rules = risk.policy()
            reason = [r for r in stored.risk_reasons if r["method"] == "questionnaire"]
            assert [r["level"] for r in reason] == [risk.level_for_score(expected, rules)]
        else:
            assert stored.risk_score is None
            assert not [r for r in stored.risk_reasons if r["method"] == "questionnaire"]
