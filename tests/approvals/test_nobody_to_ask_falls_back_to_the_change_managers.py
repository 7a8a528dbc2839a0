"""A step whose approvers resolve to nobody is never skipped in silence: the tenant's change
managers (role manager, else administrators) are asked instead, with the reason shown. A
service-owners step on a change that impacts no service has nobody to ask by its nature: it is
recorded as "not applicable" (DOMAIN.md §2.3 change authority; docs/approvals.md)."""

from __future__ import annotations

from serval.approvals.boards import create_board
from serval.approvals.models import Approval, ApprovalStep
from serval.core.models import JournalEvent
from serval.people import actions as people
from tests.approvals.conftest import fresh, make_change, make_policy, step, submit


def _asked(change) -> list[tuple[str, str]]:
    return sorted(
        Approval.objects.filter(work_item=change).values_list("approver__username", "reason")
    )


def test_a_board_without_members_asks_the_change_managers(world, estate):
    empty = create_board(actor=world.admin, name="Quiet CAB")
    make_policy(world, step(stage="authorize", kind="board", board=empty.pk))
    change = submit(world.agent, make_change(world.agent))
    assert _asked(change) == [("mona", "change manager (Quiet CAB has no members)")]


def test_a_group_whose_only_manager_is_the_requester(world, estate):
    make_policy(world, step(kind="group_manager"))
    change = submit(world.manager, make_change(world.manager, assignment_group=world.team.pk))
    # mona manages Service Desk but asked for it herself; no other manager: administrators.
    assert _asked(change) == [("admin", "change manager (Service Desk has no other manager)")]


def test_a_requester_without_a_manager(world, estate):
    make_policy(world, step(stage="authorize", kind="requester_manager"))
    change = submit(world.agent, make_change(world.agent))
    assert _asked(change) == [
        ("mona", f"change manager ({world.agent.display_name} has no manager)")
    ]


def test_impacted_services_without_an_owner(world, estate):
    from serval.services import actions as services

    services.update_service(actor=world.manager, service=estate.payroll, owner=None)
    make_policy(world, step(stage="authorize", kind="service_owners"))
    change = submit(world.agent, make_change(world.agent, cis=(estate.db,)))
    assert _asked(change) == [("mona", "change manager (no impacted service has an owner)")]


def test_no_impacted_service_means_no_owner_to_ask(world, estate):
    make_policy(world, step(stage="authorize", kind="service_owners", label="Owners"))
    change = submit(world.agent, make_change(world.agent))  # no CI, no service
    assert fresh(change).state == "scheduled"
    skipped = ApprovalStep.objects.get(round__work_item=change)
    assert (skipped.state, skipped.comment) == ("skipped", "The change impacts no service.")
    assert JournalEvent.objects.filter(
        subject_type="work_item", subject_id=change.pk, verb="approval_skipped"
    ).exists()


def test_inactive_people_are_not_asked(world, estate):
    make_policy(world, step(kind="team", team=world.team2.pk))
    people.update_team(actor=world.admin, team=world.team2, members=[world.agent2])
    world.agent2.is_active = False
    world.agent2.save(update_fields=["is_active"])
    change = submit(world.agent, make_change(world.agent))
    assert _asked(change) == [("mona", "change manager (Network has no other member)")]
