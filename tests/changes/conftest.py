"""Change test helpers: a small estate with a business service on a server, and policies.

Payroll (business, live, criticality high, owned by `owner`) ← realized by app-pay-01
app-pay-01 depends_on db-pay-01     db-pay-01 runs_on srv-01
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from serval.approvals.models import ApprovalPolicy, ApproverKind, Board, Mode, PolicyStep
from serval.changes import actions
from serval.cmdb import actions as cmdb
from serval.cmdb import worklinks
from serval.cmdb.models import CI
from serval.people.models import User
from serval.work.models import WorkItem
from tests import factories as f
from tests.cmdb.conftest import _seeded, make_ci, relate  # noqa: F401  (autouse seed fixture)

_n = itertools.count(1)


@dataclass
class Estate:
    server: CI
    db: CI
    app: CI
    payroll: Any
    owner: User


def build_estate(world: Any) -> Estate:
    from serval.services import actions as services

    a, m = world.agent, world.manager
    owner = f.make_user("requester", world.tenant, f"owner{next(_n)}")
    server = make_ci(a, f"srv-{next(_n):02d}")
    db = make_ci(a, f"db-pay-{next(_n):02d}", "db_instance")
    app = make_ci(a, f"app-pay-{next(_n):02d}", "app_server")
    relate(a, app, "depends_on", db)
    relate(a, db, "runs_on", server)
    payroll = services.create_service(
        actor=m, name=f"Payroll {next(_n)}", status="live", criticality="high", owner=owner
    )
    cmdb.link_service(actor=a, service=payroll, ci=app)
    return Estate(server, db, app, payroll, owner)


def window(days: int = 10, hours: int = 2, start_hour: int = 22) -> tuple[datetime, datetime]:
    """A planned window `days` ahead, well beyond the lead-time policy."""
    day = (timezone.now() + timedelta(days=days)).replace(
        hour=start_hour, minute=0, second=0, microsecond=0
    )
    return day, day + timedelta(hours=hours)


def make_change(actor: User, *, cis: tuple[CI, ...] = (), **fields: Any) -> WorkItem:
    start, end = window()
    fields.setdefault("title", f"Patch the database {next(_n)}")
    fields.setdefault("change_type", "normal")
    fields.setdefault("justification", "Security fixes.")
    fields.setdefault("implementation_plan", "Apply the patch, restart.")
    fields.setdefault("backout_plan", "Restore the snapshot.")
    fields.setdefault("planned_start", start)
    fields.setdefault("planned_end", end)
    item = actions.create_change(actor=actor, **fields)
    for ci in cis:
        worklinks.link_ci(actor=actor, item=item, ci=ci)
    return WorkItem.objects.get(pk=item.pk)


@dataclass
class Policies:
    cab: Board
    peer: PolicyStep
    cab_step: PolicyStep
    owners: PolicyStep


def make_policies(world: Any, *, cab_members: list[User] | None = None) -> Policies:
    """Normal changes: peers of the assignment group assess; the CAB and service owners
    authorize (in parallel)."""
    cab = Board.objects.create(tenant=world.tenant, name=f"CAB {next(_n)}", chair=world.manager)
    cab.members.set(cab_members or [world.manager])
    policy = ApprovalPolicy.objects.create(
        tenant=world.tenant, name=f"Normal {next(_n)}", kind="change", change_types=["normal"]
    )
    peer = PolicyStep.objects.create(
        policy=policy,
        stage="assess",
        order=1,
        label="Peer review",
        approver_kind=ApproverKind.TEAM,
        team=world.team2,
        mode=Mode.ANY,
    )
    cab_step = PolicyStep.objects.create(
        policy=policy,
        stage="authorize",
        order=1,
        label="CAB",
        approver_kind=ApproverKind.BOARD,
        board=cab,
        mode=Mode.ANY,
    )
    owners = PolicyStep.objects.create(
        policy=policy,
        stage="authorize",
        order=1,
        label="Service owners",
        approver_kind=ApproverKind.SERVICE_OWNERS,
    )
    return Policies(cab, peer, cab_step, owners)


@pytest.fixture
def estate(world) -> Estate:
    return build_estate(world)
