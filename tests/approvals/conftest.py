"""Approval test helpers: the change estate of tests/changes, policies built through the
policy actions, submitting a change, finding an approver's open approval, the seeded policies,
and the loopback SMTP inbox with the real queue (tests/notifications)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from serval.approvals import engine, policies
from serval.approvals.models import Approval, ApprovalPolicy
from serval.changes import actions
from serval.people.models import User
from serval.work.models import WorkItem
from tests.api.conftest import api_as, assert_problem  # noqa: F401
from tests.changes.conftest import build_estate, make_change, window  # noqa: F401
from tests.cmdb.conftest import _seeded  # noqa: F401  (autouse: the CMDB seed after flushes)
from tests.notifications.conftest import inbox, run_queue  # noqa: F401
from tests.web.conftest import signed_in  # noqa: F401

_n = itertools.count(1)


@pytest.fixture
def estate(world):
    return build_estate(world)


def step(stage: str = "assess", kind: str = "users", **fields: Any) -> dict[str, Any]:
    return {"stage": stage, "approver_kind": kind, **fields}


def make_policy(
    world: Any,
    *steps: dict[str, Any],
    types: tuple[str, ...] = ("normal",),
    risks: tuple[str, ...] = (),
    name: str | None = None,
) -> ApprovalPolicy:
    """A policy in the world's tenant, written by its administrator through the action."""
    return policies.create_policy(
        actor=world.admin,
        name=name or f"Policy {next(_n)}",
        change_types=list(types),
        risks=list(risks),
        steps=list(steps),
    )


def fresh(item: WorkItem) -> WorkItem:
    return WorkItem.objects.get(pk=item.pk)


def submit(actor: User, item: WorkItem, to: str = "assess") -> WorkItem:
    actions.transition_change(actor=actor, item=fresh(item), to=to)
    return fresh(item)


def open_for(item: WorkItem, user: User) -> Approval:
    """The one approval `user` may decide now on `item` (own or as a delegate)."""
    return Approval.objects.filter(engine.awaiting(user), work_item=item).get()


def open_count(item: WorkItem, user: User) -> int:
    return Approval.objects.filter(engine.awaiting(user), work_item=item).count()


@pytest.fixture
def seeded_policies(db):
    """The seeded change authorities of approvals migration 0003, switched back on."""
    from serval.approvals.seed import POLICY_NAMES, seed_now

    seed_now()
    ApprovalPolicy.objects.filter(name__in=POLICY_NAMES, tenant__parent=None).update(active=True)
    return list(ApprovalPolicy.objects.filter(name__in=POLICY_NAMES).order_by("order"))
