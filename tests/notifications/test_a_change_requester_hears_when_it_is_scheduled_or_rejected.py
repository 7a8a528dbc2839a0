"""DOMAIN.md §2.3: when a change is scheduled its requester is notified; a rejection returns it
to New and tells the requester why. The mails link to the change's own page."""

from __future__ import annotations

from serval.approvals import engine
from serval.approvals.models import Approval
from serval.changes import actions
from tests import factories as f
from tests.changes.api.helpers import approved_template
from tests.changes.conftest import make_change, make_policies, window
from tests.notifications.conftest import run_queue


def test_the_requester_is_mailed_when_their_change_is_scheduled(world, inbox):
    requester = f.make_user("agent", world.tenant, "rhea")
    start, end = window()
    change = actions.create_change(
        actor=world.agent,
        template=approved_template(world).pk,
        caller=requester.pk,
        planned_start=start,
        planned_end=end,
    )
    run_queue()
    inbox.received.clear()
    actions.transition_change(actor=world.agent, item=change, to="scheduled")
    run_queue()
    mails = inbox.to(requester.email)
    assert len(mails) == 1
    assert mails[0].subject == f"[{change.number}] Scheduled: {change.title}"
    assert f"/changes/{change.number}/" in mails[0].text()
    assert world.agent.email not in inbox.addresses()  # the one who scheduled it


def test_the_requester_is_mailed_with_the_reason_when_a_step_rejects_it(world, inbox):
    make_policies(world)
    change = make_change(world.agent, assignment_group=world.team.pk)
    actions.transition_change(actor=world.agent, item=change, to="assess")
    run_queue()
    inbox.received.clear()
    approval = Approval.objects.filter(work_item=change, approver=world.agent2).get()
    engine.decide(actor=world.agent2, approval=approval, approve=False, comment="No backout test.")
    change.refresh_from_db()
    assert change.state == "new"
    run_queue()
    mails = inbox.to(world.agent.email)
    # One mail, the approvals' (serval.approvals.mail), with the approver's reason.
    assert [m.subject for m in mails] == [f"[{change.number}] Rejected: {change.title}"]
    assert "No backout test." in mails[0].text()
