"""Query-count guards (STYLE rule 14): the approval lists and panels read the same number of
queries for 2 rows as for 8 — no query per row — and stay under a fixed bound."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from serval.approvals import boards, engine
from serval.approvals.models import AgendaItem
from serval.approvals.summary import rounds_of
from tests.approvals.conftest import make_change, make_policy, open_for, step, submit


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _flat(build, measure, *, bound: int) -> None:
    measure()  # warm-up: a token's first use records it, a session its first request
    build(2)
    small = _count(measure)
    build(6)
    large = _count(measure)
    assert small == large, (small, large)
    assert large <= bound, large


def test_my_approvals_page_and_the_api_list(world, estate, client, api_as):
    make_policy(world, step(users=[world.agent2.pk]), step(kind="service_owners", stage="assess"))

    def build(n):
        for _ in range(n):
            submit(world.agent, make_change(world.agent, cis=(estate.db,)))

    client.force_login(world.agent2)
    bob = api_as(world.agent2)
    build(1)
    _flat(build, lambda: client.get("/approvals/"), bound=16)
    _flat(build, lambda: client.get("/approvals/?show=decided"), bound=16)
    _flat(build, lambda: bob.get("approvals?mine=1&state=requested"), bound=12)
    _flat(build, lambda: bob.get("approvals"), bound=12)


def test_a_changes_rounds_in_the_panel_and_the_api(world, estate, api_as):
    people = [world.agent2, world.manager, world.admin]
    make_policy(world, step(users=[p.pk for p in people], mode="all"))
    change = make_change(world.agent)

    def build(n):
        for _ in range(n):  # reject and resubmit: one more round each time
            nonlocal change
            change = submit(world.agent, change)
            engine.decide(
                actor=world.agent2,
                approval=open_for(change, world.agent2),
                approve=False,
                comment="Again.",
            )

    alice = api_as(world.agent)
    build(1)
    _flat(build, lambda: rounds_of(change, world.agent2), bound=6)
    _flat(build, lambda: alice.get(f"changes/{change.number}/approvals"), bound=12)
    _flat(build, lambda: alice.get(f"/approvals/changes/{change.number}/"), bound=30)


def test_policies_boards_meetings_and_agenda(world, client, api_as):
    cab = boards.create_board(actor=world.admin, name="Infra CAB", members=[world.manager])
    start = timezone.now() + timedelta(days=1)
    meeting = boards.create_meeting(
        actor=world.manager, board=cab, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    make_policy(world, step(stage="authorize", kind="board", board=cab.pk))

    def build(n):
        for i in range(n):
            make_policy(
                world,
                step(users=[world.agent2.pk, world.manager.pk]),
                step(kind="team", team=world.team2.pk, stage="authorize"),
                types=("emergency",),
            )
            boards.create_board(actor=world.admin, name=f"Board {AgendaItem.objects.count()}-{i}")
            change = submit(world.agent, make_change(world.agent))
            boards.add_to_agenda(actor=world.manager, meeting=meeting, item=change)
            boards.create_meeting(
                actor=world.manager, board=cab, starts_at=start, ends_at=start + timedelta(hours=1)
            )

    client.force_login(world.admin)
    admin, mona = api_as(world.admin), api_as(world.manager)
    build(1)
    _flat(build, lambda: client.get("/approvals/policies/"), bound=16)
    _flat(build, lambda: admin.get("approvals/policies"), bound=12)
    _flat(build, lambda: client.get("/approvals/boards/"), bound=16)
    _flat(build, lambda: admin.get("approvals/boards"), bound=12)
    _flat(build, lambda: client.get(f"/approvals/boards/{cab.pk}/"), bound=20)
    _flat(build, lambda: client.get(f"/approvals/boards/meetings/{meeting.pk}/"), bound=20)
    _flat(build, lambda: mona.get(f"approvals/meetings/{meeting.pk}/agenda"), bound=12)
    _flat(build, lambda: mona.get("approvals/meetings"), bound=12)


def test_delegations(world, api_as):
    from serval.approvals import delegation
    from tests import factories as f

    now = timezone.now()

    def build(n):
        for _ in range(n):
            delegation.create_delegation(
                actor=world.agent2,
                user=world.agent2,
                delegate=f.make_user("agent", world.tenant),
                starts_at=now,
                ends_at=now + timedelta(days=1),
            )

    bob = api_as(world.agent2)
    build(1)
    _flat(build, lambda: bob.get("approvals/delegations"), bound=8)
