"""The risk is assessed while a change is planned (New) and is what the approvers decided on from
submission on (DOMAIN.md §2.3: risk evaluated in Assess, what was approved is frozen): answers
are refused, policy edits leave it alone, and reverting to New re-assesses it."""

from __future__ import annotations

import pytest

from serval.changes import actions, questionnaire, risk
from serval.changes.models import RiskQuestion
from serval.core.errors import ValidationFailed
from serval.core.models import JournalEvent
from tests.changes.conftest import make_policies
from tests.changes.risk_helpers import answer_all, detail, fresh, implemented, make_change
from tests.notifications.conftest import run_queue


def _first():
    q = RiskQuestion.objects.filter(active=True).order_by("order").first()
    return q, q.options.order_by("order").first()


def test_answers_are_refused_once_submitted_with_the_reason(world, estate):
    make_policies(world)
    change = make_change(world.agent, cis=(estate.db,))
    actions.transition_change(actor=world.agent, item=change, to="assess")
    q, o = _first()
    with pytest.raises(ValidationFailed) as exc:
        risk.answer(actor=world.agent, item=fresh(change), answers={q.pk: o.pk})
    assert "revert the change to New" in exc.value.as_dict()["answers"]
    assert risk.read_only_reason(fresh(change))


def test_submission_takes_the_latest_risk_and_a_policy_edit_leaves_submitted_changes(world):
    draft, submitted = make_change(world.agent), make_change(world.agent)
    for change in (draft, submitted):
        answer_all(world.agent, change, pick=1)  # 8 × 2 = 16: Moderate
    actions.transition_change(actor=world.agent, item=submitted, to="assess")  # no policy: on
    questionnaire.update_policy(actor=world.admin, moderate_from=17, high_from=18)
    run_queue()
    assert detail(draft).risk == "low"
    assert detail(submitted).risk == "moderate"


def test_reverting_to_new_re_assesses_with_the_current_policy(world, estate):
    make_policies(world)
    change = make_change(world.agent)
    answer_all(world.agent, change, pick=1)
    actions.transition_change(actor=world.agent, item=change, to="assess")
    questionnaire.update_policy(actor=world.admin, moderate_from=17, high_from=18)
    run_queue()
    assert detail(change).risk == "moderate"
    actions.transition_change(actor=world.agent, item=fresh(change), to="new")
    assert detail(change).risk == "low"
    verbs = JournalEvent.objects.filter(subject_type="work_item", subject_id=change.pk)
    assert verbs.filter(verb="risk_assessed").exists()


def test_an_implemented_change_keeps_its_risk(world):
    change = make_change(world.agent, assignment_group=world.team.pk)
    answer_all(world.agent, change, pick=2)
    item = implemented(world.agent, change)
    assert detail(item).risk == "very_high"
    questionnaire.update_policy(actor=world.admin, very_high_from=40)
    run_queue()
    assert detail(item).risk == "very_high"
    assert "implemented" in risk.read_only_reason(item)
