"""Bad questionnaire answers are field errors and write nothing (SECURITY-REFERENCE C1): unknown
or retired questions, another question's option, non-numeric or huge ids, booleans, too many
answers; requesters cannot answer at all."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serval.changes import questionnaire, risk
from serval.changes.models import RiskAnswer, RiskQuestion
from serval.core.errors import PermissionDenied, ValidationFailed
from tests.changes.risk_helpers import fresh, make_change

JUNK = st.one_of(
    st.text(max_size=30),
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.none(),
    st.lists(st.integers(), max_size=2),
)


def _two():
    a, b = RiskQuestion.objects.filter(active=True).order_by("order")[:2]
    return a, b


def test_another_questions_option_is_unknown(world):
    change = make_change(world.agent)
    a, b = _two()
    with pytest.raises(ValidationFailed) as exc:
        risk.answer(actor=world.agent, item=change, answers={a.pk: b.options.first().pk})
    assert exc.value.as_dict() == {f"answers.{a.pk}": "Unknown question or answer."}
    assert not RiskAnswer.objects.exists()


def test_a_retired_question_cannot_be_answered(world):
    change = make_change(world.agent)
    a, _b = _two()
    questionnaire.update_question(actor=world.admin, question=a, active=False)
    with pytest.raises(ValidationFailed):
        risk.answer(actor=world.agent, item=fresh(change), answers={a.pk: a.options.first().pk})


def test_one_bad_answer_writes_none_of_them(world):
    change = make_change(world.agent)
    a, b = _two()
    with pytest.raises(ValidationFailed):
        risk.answer(
            actor=world.agent,
            item=change,
            answers={a.pk: a.options.first().pk, b.pk: 10**30},
        )
    assert not RiskAnswer.objects.exists()


def test_requesters_cannot_answer(world):
    change = make_change(world.agent)
    a, _b = _two()
    with pytest.raises(PermissionDenied):
        risk.answer(actor=world.requester, item=change, answers={a.pk: a.options.first().pk})


def test_too_many_answers_is_one_error(world):
    change = make_change(world.agent)
    with pytest.raises(ValidationFailed) as exc:
        risk.answer(actor=world.agent, item=change, answers={n: 1 for n in range(1, 150)})
    assert "answers" in exc.value.as_dict()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(key=JUNK, value=JUNK)
def test_any_junk_is_a_field_error_or_a_no_op(world, key, value):
    change = make_change(world.agent)
    try:
        risk.answer(
            actor=world.agent,
            item=change,
            answers={key if not isinstance(key, list) else str(key): value},
        )
    except ValidationFailed as exc:
        assert all(name.startswith("answers") for name in exc.as_dict())
        assert not RiskAnswer.objects.filter(change_id=change.pk).exists()
    else:  # by chance a real question and option ("1", "2"): stored, never more than that
        assert RiskAnswer.objects.filter(change_id=change.pk).count() <= 1
