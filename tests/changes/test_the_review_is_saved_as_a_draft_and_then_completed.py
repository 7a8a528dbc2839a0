"""The post-implementation review (DOMAIN.md §2.3 PIR) is written in Review: saved as a draft as
often as needed, completed with who and when once objectives and backout are answered and lessons
written, reopened while still in Review, journaled on the change, read-only once closed."""

from __future__ import annotations

import pytest

from serval.changes import actions, review
from serval.changes.models import ChangeReview
from serval.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from serval.core.models import JournalEvent
from tests.changes.risk_helpers import fresh, implemented, make_change


def _verbs(item):
    return list(
        JournalEvent.objects.filter(subject_type="work_item", subject_id=item.pk)
        .filter(verb__startswith="review_")
        .values_list("verb", flat=True)
    )


def test_draft_then_complete_then_close(world):
    change = implemented(
        world.agent, make_change(world.agent, assignment_group=world.team.pk), "unsuccessful"
    )
    review.save_review(
        actor=world.agent, item=change, objectives_met=False, lessons="Test with real data."
    )
    review.save_review(actor=world.agent, item=fresh(change), backout_executed=True)
    stored = ChangeReview.objects.get(pk=change.pk)
    assert (stored.objectives_met, stored.backout_executed, stored.completed_at) == (
        False,
        True,
        None,
    )
    with pytest.raises(ValidationFailed):
        actions.transition_change(actor=world.agent, item=fresh(change), to="closed")
    review.complete_review(actor=world.agent, item=fresh(change), follow_ups="Raise a problem.")
    stored.refresh_from_db()
    assert (stored.completed_by, stored.follow_ups) == (world.agent, "Raise a problem.")
    assert stored.completed_at is not None
    actions.transition_change(actor=world.agent, item=fresh(change), to="closed")
    assert _verbs(change) == ["review_started", "review_saved", "review_completed"]
    with pytest.raises(ValidationFailed) as exc:
        review.save_review(actor=world.agent, item=fresh(change), lessons="Later thoughts.")
    assert "closed" in exc.value.as_dict()["review"]


def test_completing_needs_objectives_backout_and_lessons(world):
    change = implemented(world.agent, make_change(world.agent, assignment_group=world.team.pk))
    with pytest.raises(ValidationFailed) as exc:
        review.complete_review(actor=world.agent, item=change)
    assert set(exc.value.as_dict()) == {"objectives_met", "backout_executed", "lessons"}
    assert not ChangeReview.objects.filter(pk=change.pk).exists()


def test_a_completed_review_is_reopened_to_change_it(world):
    change = implemented(world.agent, make_change(world.agent, assignment_group=world.team.pk))
    review.complete_review(
        actor=world.agent, item=change, objectives_met=True, backout_executed=False, lessons="Fine."
    )
    with pytest.raises(ValidationFailed):
        review.save_review(actor=world.agent, item=fresh(change), lessons="More.")
    review.reopen_review(actor=world.agent, item=fresh(change))
    assert ChangeReview.objects.get(pk=change.pk).completed_at is None
    review.save_review(actor=world.agent, item=fresh(change), lessons="More.")
    assert "review_reopened" in _verbs(change)


def test_before_review_and_for_requesters_it_is_refused(world):
    change = make_change(world.agent)
    with pytest.raises(ValidationFailed) as exc:
        review.save_review(actor=world.agent, item=change, lessons="Too early.")
    assert "in Review" in exc.value.as_dict()["review"]
    done = implemented(world.agent, make_change(world.agent, assignment_group=world.team.pk))
    with pytest.raises(PermissionDenied):
        review.save_review(actor=world.requester, item=done, lessons="Hi")


def test_bad_values_and_stale_versions(world):
    change = implemented(world.agent, make_change(world.agent, assignment_group=world.team.pk))
    for bad in (
        {"objectives_met": "yes"},
        {"lessons": 5},
        {"lessons": "a\x00b"},
        {"lessons": "x" * 20001},
        {"colour": "red"},
    ):
        with pytest.raises(ValidationFailed):
            review.save_review(actor=world.agent, item=change, **bad)
    with pytest.raises(StaleVersion):
        review.save_review(
            actor=world.agent, item=change, expected_version=change.version - 1, lessons="x"
        )
    assert not ChangeReview.objects.filter(pk=change.pk).exists()


def test_the_review_text_is_not_copied_into_the_journal(world):
    change = implemented(world.agent, make_change(world.agent, assignment_group=world.team.pk))
    review.save_review(actor=world.agent, item=change, lessons="Secret vendor pricing.")
    event = JournalEvent.objects.filter(subject_id=change.pk, verb="review_started").get()
    assert "Secret" not in str(event.data)
