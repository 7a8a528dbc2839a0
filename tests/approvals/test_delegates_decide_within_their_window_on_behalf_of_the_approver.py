"""Delegation while away (DOMAIN.md §2.4): in [starts_at, ends_at) the delegate sees and decides
the approver's open approvals, recorded as theirs on behalf of the approver; before the start
and from the end on, they cannot. Delegations are validated: not to oneself, an end after the
start and in the future, at most a year, someone in the same tenant, no overlap with the same
delegate; people delegate their own approvals (administrators anyone's of their tenants)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from serval.approvals import delegation, engine
from serval.approvals.models import Approval
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.core.models import JournalEvent
from tests import factories as f
from tests.approvals.conftest import make_change, make_policy, open_count, step, submit


@pytest.fixture
def asked(world, estate):
    """A change waiting for bob (agent2)."""
    make_policy(world, step(users=[world.agent2.pk]))
    return submit(world.agent, make_change(world.agent))


def _delegate(world, start, end, *, to=None):
    return delegation.create_delegation(
        actor=world.agent2,
        user=world.agent2,
        delegate=to or world.manager,
        starts_at=start,
        ends_at=end,
        reason="Holiday",
    )


def test_the_delegate_decides_on_behalf_during_the_window(world, asked):
    now = timezone.now()
    _delegate(world, now - timedelta(minutes=1), now + timedelta(days=3))
    assert open_count(asked, world.manager) == 1
    approval = Approval.objects.get(work_item=asked)
    engine.decide(actor=world.manager, approval=approval, approve=True, comment="For Bob.")
    approval.refresh_from_db()
    assert (approval.approver_id, approval.decided_by_id) == (world.agent2.pk, world.manager.pk)
    event = JournalEvent.objects.filter(
        subject_type="work_item", subject_id=asked.pk, verb="approved"
    ).get()
    assert event.data["on_behalf_of"] == world.agent2.username
    assert event.actor_id == world.manager.pk


def test_the_window_starts_inclusive_and_ends_exclusive(world, asked):
    now = timezone.now()
    d = _delegate(world, now + timedelta(hours=1), now + timedelta(hours=2))
    assert engine.delegators(world.manager, at=d.starts_at - timedelta(microseconds=1)) == []
    assert engine.delegators(world.manager, at=d.starts_at) == [world.agent2.pk]
    assert engine.delegators(world.manager, at=d.ends_at - timedelta(microseconds=1)) == [
        world.agent2.pk
    ]
    assert engine.delegators(world.manager, at=d.ends_at) == []
    assert open_count(asked, world.manager) == 0  # not yet


def test_ending_a_delegation_takes_the_approvals_away_again(world, asked):
    now = timezone.now()
    d = _delegate(world, now - timedelta(hours=1), now + timedelta(days=1))
    assert open_count(asked, world.manager) == 1
    delegation.end_delegation(actor=world.agent2, delegation=d)
    assert open_count(asked, world.manager) == 0
    with pytest.raises(PermissionDenied):
        engine.decide(
            actor=world.manager, approval=Approval.objects.get(work_item=asked), approve=True
        )
    with pytest.raises(ValidationFailed):
        delegation.end_delegation(actor=world.agent2, delegation=d)
    verbs = list(
        JournalEvent.objects.filter(subject_type="delegation", subject_id=d.pk)
        .order_by("seq")
        .values_list("verb", flat=True)
    )
    assert verbs == ["created", "ended"]


def test_delegation_is_not_transitive(world, asked):
    now = timezone.now()
    _delegate(world, now - timedelta(hours=1), now + timedelta(days=1))
    delegation.create_delegation(
        actor=world.manager,
        user=world.manager,
        delegate=world.admin,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
    )
    assert open_count(asked, world.admin) == 0


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (timedelta(hours=2), timedelta(hours=1), "ends_at"),  # ends before it starts
        (timedelta(days=-3), timedelta(days=-1), "ends_at"),  # over already
        (timedelta(0), timedelta(days=400), "ends_at"),  # longer than a year
        (timedelta(days=500), timedelta(days=501), "starts_at"),  # too far ahead
    ],
)
def test_the_window_is_validated(world, start, end, field):
    now = timezone.now()
    with pytest.raises(ValidationFailed) as exc:
        _delegate(world, now + start, now + end)
    assert field in exc.value.as_dict()


def test_nobody_delegates_to_themselves_or_outside_their_tenant(world):
    now = timezone.now()
    with pytest.raises(ValidationFailed) as exc:
        _delegate(world, now, now + timedelta(days=1), to=world.agent2)
    assert "delegate" in exc.value.as_dict()
    with pytest.raises(ValidationFailed) as exc:
        _delegate(world, now, now + timedelta(days=1), to=world.outsider_agent)
    assert exc.value.as_dict() == {"delegate": "Unknown user."}


def test_overlapping_delegations_to_the_same_person_are_refused(world):
    now = timezone.now()
    _delegate(world, now, now + timedelta(days=5))
    with pytest.raises(ValidationFailed):
        _delegate(world, now + timedelta(days=2), now + timedelta(days=8))
    _delegate(world, now + timedelta(days=5), now + timedelta(days=8))  # adjacent is fine
    other = f.make_user("agent", world.tenant, "dora")
    _delegate(world, now + timedelta(days=2), now + timedelta(days=3), to=other)


def test_only_my_own_or_as_an_administrator(world):
    now = timezone.now()
    with pytest.raises(PermissionDenied):
        delegation.create_delegation(
            actor=world.agent,
            user=world.agent2,
            delegate=world.agent,
            starts_at=now,
            ends_at=now + timedelta(days=1),
        )
    d = delegation.create_delegation(
        actor=world.admin,
        user=world.agent2,
        delegate=world.manager,
        starts_at=now,
        ends_at=now + timedelta(days=1),
    )
    with pytest.raises(NotFound):
        delegation.end_delegation(actor=world.agent, delegation=d)
    with pytest.raises(NotFound):
        delegation.access_delegation(world.agent, d.pk)
