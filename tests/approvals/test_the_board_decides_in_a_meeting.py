"""A CAB meeting (DOMAIN.md §2.3 change authority "CAB"): its agenda is built from the changes
with a pending step of the board; the board's decision per change — approve, reject with a
reason, defer — decides that step as a whole, sets the change's CAB date, and is journaled on
the meeting and on the change. Change managers and the chair run meetings; administrators
change boards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from serval.approvals import boards
from serval.approvals.models import AgendaItem, ApprovalStep
from serval.changes.models import ChangeDetail
from serval.core.errors import PermissionDenied, ValidationFailed
from serval.core.models import JournalEvent
from tests.approvals.conftest import fresh, make_change, make_policy, step, submit


@pytest.fixture
def cab(world):
    return boards.create_board(
        actor=world.admin,
        name="Weekly CAB",
        chair=world.agent2,
        members=[world.manager, world.agent2],
    )


@pytest.fixture
def meeting(world, cab):
    start = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    return boards.create_meeting(
        actor=world.manager,
        board=cab,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        location="Room 4",
        attendees=[world.manager, world.agent2],
    )


def _waiting_for_cab(world, cab, n: int = 1):
    make_policy(world, step(stage="authorize", kind="board", board=cab.pk, label="CAB"))
    return [submit(world.agent, make_change(world.agent)) for _ in range(n)]


def _verbs(subject_type: str, pk: int) -> list[str]:
    return list(
        JournalEvent.objects.filter(subject_type=subject_type, subject_id=pk)
        .order_by("seq")
        .values_list("verb", flat=True)
    )


def test_build_the_agenda_and_approve(world, cab, meeting):
    first, second = _waiting_for_cab(world, cab, 2)
    unrelated = make_change(world.agent)  # in New: nothing pending
    assert boards.build_agenda(actor=world.agent2, meeting=meeting) == 2  # the chair
    assert boards.build_agenda(actor=world.agent2, meeting=meeting) == 0  # nothing new
    agenda = list(AgendaItem.objects.filter(meeting=meeting).order_by("order"))
    assert {a.work_item_id for a in agenda} == {first.pk, second.pk}
    assert unrelated.pk not in {a.work_item_id for a in agenda}

    entry = next(a for a in agenda if a.work_item_id == first.pk)
    boards.record_decision(
        actor=world.manager, meeting=meeting, entry=entry, decision="approved", notes="Go."
    )
    assert fresh(first).state == "scheduled"
    decided = ApprovalStep.objects.get(round__work_item=first)
    assert (decided.state, decided.meeting_id, decided.decided_by_id, decided.comment) == (
        "approved",
        meeting.pk,
        world.manager.pk,
        "Go.",
    )
    assert set(decided.approvals.values_list("state", flat=True)) == {"not_required"}
    assert ChangeDetail.objects.get(pk=first.pk).cab_date == meeting.starts_at
    assert "decision_recorded" in _verbs("board_meeting", meeting.pk)
    assert {"approved", "updated"} <= set(_verbs("work_item", first.pk))
    with pytest.raises(ValidationFailed):
        boards.record_decision(
            actor=world.manager, meeting=meeting, entry=entry, decision="approved"
        )


def test_reject_needs_a_reason_and_returns_the_change_to_new(world, cab, meeting):
    [change] = _waiting_for_cab(world, cab)
    boards.build_agenda(actor=world.manager, meeting=meeting)
    entry = AgendaItem.objects.get(meeting=meeting)
    with pytest.raises(ValidationFailed) as exc:
        boards.record_decision(
            actor=world.manager, meeting=meeting, entry=entry, decision="rejected"
        )
    assert "notes" in exc.value.as_dict()
    boards.record_decision(
        actor=world.manager,
        meeting=meeting,
        entry=entry,
        decision="rejected",
        notes="Backout plan is not tested.",
    )
    assert fresh(change).state == "new"


def test_defer_keeps_the_step_pending_for_the_next_meeting(world, cab, meeting):
    [change] = _waiting_for_cab(world, cab)
    boards.add_to_agenda(actor=world.manager, meeting=meeting, item=change)
    entry = AgendaItem.objects.get(meeting=meeting)
    boards.record_decision(
        actor=world.manager, meeting=meeting, entry=entry, decision="deferred", notes="Next week."
    )
    assert fresh(change).state == "authorize"
    assert ApprovalStep.objects.get(round__work_item=change).state == "pending"
    assert "cab_deferred" in _verbs("work_item", change.pk)
    later = boards.create_meeting(
        actor=world.manager,
        board=cab,
        starts_at=meeting.starts_at + timedelta(days=7),
        ends_at=meeting.ends_at + timedelta(days=7),
    )
    assert boards.build_agenda(actor=world.manager, meeting=later) == 1


def test_agenda_order_can_be_changed_and_undecided_items_removed(world, cab, meeting):
    first, second, third = _waiting_for_cab(world, cab, 3)
    for change in (first, second, third):
        boards.add_to_agenda(actor=world.manager, meeting=meeting, item=change)
    ids = list(
        AgendaItem.objects.filter(meeting=meeting).order_by("order").values_list("pk", flat=True)
    )
    boards.reorder_agenda(actor=world.manager, meeting=meeting, order=[ids[2], ids[0], ids[1]])
    boards.move_agenda_item(
        actor=world.manager, meeting=meeting, entry=AgendaItem.objects.get(pk=ids[1]), up=True
    )
    order = list(
        AgendaItem.objects.filter(meeting=meeting).order_by("order").values_list("pk", flat=True)
    )
    assert order == [ids[2], ids[1], ids[0]]
    with pytest.raises(ValidationFailed):
        boards.reorder_agenda(actor=world.manager, meeting=meeting, order=[ids[0]])
    boards.remove_from_agenda(
        actor=world.manager, meeting=meeting, entry=AgendaItem.objects.get(pk=ids[0])
    )
    assert AgendaItem.objects.filter(meeting=meeting).count() == 2
    with pytest.raises(ValidationFailed):
        boards.add_to_agenda(actor=world.manager, meeting=meeting, item=second)


def test_who_runs_meetings_and_who_changes_boards(world, cab, meeting):
    [change] = _waiting_for_cab(world, cab)
    with pytest.raises(PermissionDenied):
        boards.build_agenda(actor=world.agent, meeting=meeting)  # neither chair nor manager
    with pytest.raises(PermissionDenied):
        boards.update_board(actor=world.manager, board=cab, name="Renamed")
    boards.update_board(actor=world.admin, board=cab, members=[world.manager])
    assert list(cab.members.values_list("username", flat=True)) == ["mona"]
    # The requester does not record the board's decision on their own change.
    boards.add_to_agenda(actor=world.manager, meeting=meeting, item=change)
    entry = AgendaItem.objects.get(meeting=meeting)
    boards.update_board(actor=world.admin, board=cab, chair=world.agent)
    with pytest.raises(PermissionDenied):
        boards.record_decision(actor=world.agent, meeting=meeting, entry=entry, decision="approved")


def test_meeting_states_and_minutes(world, cab, meeting):
    boards.update_meeting(actor=world.manager, meeting=meeting, minutes="**Quorum** reached.")
    boards.set_meeting_state(actor=world.manager, meeting=meeting, state="held")
    with pytest.raises(ValidationFailed):
        boards.set_meeting_state(actor=world.manager, meeting=meeting, state="planned")
    other = boards.create_meeting(
        actor=world.manager,
        board=cab,
        starts_at=meeting.starts_at + timedelta(days=7),
        ends_at=meeting.ends_at + timedelta(days=7),
    )
    boards.set_meeting_state(actor=world.manager, meeting=other, state="cancelled")
    with pytest.raises(ValidationFailed):
        boards.build_agenda(actor=world.manager, meeting=other)
    boards.set_meeting_state(actor=world.manager, meeting=other, state="planned")
    assert _verbs("board_meeting", meeting.pk) == ["created", "updated", "state_changed"]


def test_meetings_are_validated(world, cab):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationFailed) as exc:
        boards.create_meeting(actor=world.manager, board=cab, starts_at=start, ends_at=start)
    assert "ends_at" in exc.value.as_dict()
    with pytest.raises(ValidationFailed) as exc:
        boards.create_meeting(
            actor=world.manager,
            board=cab,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            attendees=[world.outsider_agent],
        )
    assert "attendees" in exc.value.as_dict()


def test_a_board_in_use_is_deactivated_rather_than_deleted(world, cab, meeting):
    with pytest.raises(ValidationFailed):
        boards.delete_board(actor=world.admin, board=cab)
    spare = boards.create_board(actor=world.admin, name="Spare")
    boards.delete_board(actor=world.admin, board=spare)
    assert _verbs("board", spare.pk) == ["created", "deleted"]
