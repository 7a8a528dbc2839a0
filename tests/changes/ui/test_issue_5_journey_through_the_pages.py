"""Issue 5's "done means", through the pages as people click them (Django's client, real views,
forms and middleware), on the seeded change authorities of DOMAIN.md §2.3: raise a normal change
on a server a business service depends on, see its risk and why and its conflicts (another
change on the same server, a freeze), get it approved from "My approvals" by the group
manager, the CAB and the service owner (a requester), schedule it over the conflicts with a
reason, implement it, review it, close it; the calendar shows it."""

from __future__ import annotations

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from serval.approvals.models import ApprovalPolicy, Board
from serval.approvals.seed import CAB, POLICY_NAMES, seed_now
from serval.changes import actions, standard
from serval.cmdb import worklinks
from serval.work.models import WorkItem
from tests import factories as f
from tests.changes.conftest import window


def _signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=f.PASSWORD)
    return client


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _ok(response, status: int = 302):
    assert response.status_code == status, response.content.decode()[:3000]
    return response


def _version(item: WorkItem) -> int:
    return WorkItem.objects.get(pk=item.pk).version


def _approve_from_my_approvals(client: Client) -> int:
    """Approve everything "My approvals" lists for this person; how many were approved."""
    page = _ok(client.get("/approvals/"), 200).content.decode()
    ids = sorted(set(re.findall(r'action="/approvals/(\d+)/decide"', page)))
    for approval_id in ids:
        _ok(client.post(f"/approvals/{approval_id}/decide", {"decision": "approve"}))
    return len(ids)


def test_a_normal_change_is_raised_approved_scheduled_implemented_and_reviewed_in_the_pages(
    world, estate
):
    seed_now()
    ApprovalPolicy.objects.filter(name__in=POLICY_NAMES, tenant__parent=None).update(active=True)
    Board.objects.get(tenant__parent=None, name=CAB).members.set([world.manager])
    start, end = window(days=12)

    # Already on the schedule: another team's standard change on the same server.
    template = standard.create_template(
        actor=world.manager,
        name="Replace a failed disk",
        title="Replace a failed disk",
        implementation_plan="Hot-swap the disk.",
        backout_plan="Put the old disk back.",
    )
    standard.approve_template(actor=world.manager, template=template)
    disk = actions.create_change(
        actor=world.agent2, template=template.pk, planned_start=start, planned_end=end
    )
    worklinks.link_ci(actor=world.agent2, item=disk, ci=estate.server)
    actions.transition_change(actor=world.agent2, item=disk, to="scheduled")

    # The change manager puts a freeze on Payroll through the window form.
    manager = _signed_in(world.manager)
    _ok(
        manager.post(
            "/changes/windows/new",
            {
                "name": "Payroll run freeze",
                "kind": "blackout",
                "description": "",
                "time_zone": "UTC",
                "starts_at": _local(start - timedelta(hours=6)),
                "ends_at": _local(end + timedelta(hours=6)),
                "repeat": "",
                "until": "",
                "rrule": "",
                "services": [str(estate.payroll.pk)],
                "exempt_emergency": "on",
                "active": "on",
            },
        )
    )

    # The new user raises the change with the form and names the server it touches.
    agent = _signed_in(world.agent)
    _ok(
        agent.post(
            "/changes/new",
            {
                "change_type": "normal",
                "title": "Upgrade the RAID controller firmware",
                "justification": "Vendor advisory: data corruption under load.",
                "implementation_plan": "Flash the controller; reboot.",
                "backout_plan": "Flash the previous firmware.",
                "planned_start": _local(start + timedelta(minutes=30)),
                "planned_end": _local(end),
                "impact": "2",
                "urgency": "2",
                "assignment_group": str(world.team.pk),
                "assignee": "",
                "caller": "",
            },
        )
    )
    change = WorkItem.objects.get(kind="change", title="Upgrade the RAID controller firmware")
    number = change.number
    _ok(agent.post(f"/changes/{number}/impact", {"op": "link_ci", "ci": str(estate.server.pk)}))

    # The page explains the risk and the two conflicts.
    page = _ok(agent.get(f"/changes/{number}/"), 200).content.decode()
    assert f"Impacts {estate.payroll.name}" in page
    assert disk.number in page and "Payroll run freeze" in page

    # Submitted; each approver approves from their own "My approvals".
    _ok(agent.post(f"/changes/{number}/transition", {"to": "assess", "version": _version(change)}))
    owner = _signed_in(estate.owner)  # Payroll's owner has the requester role
    approved = 0
    for _round in range(3):
        approved += _approve_from_my_approvals(manager) + _approve_from_my_approvals(owner)
    assert approved >= 3  # group manager, CAB, service owner
    assert WorkItem.objects.get(pk=change.pk).state == "authorize"  # held by the conflicts

    # The change manager schedules it over the conflicts, giving the reason.
    refused = manager.post(
        f"/changes/{number}/transition", {"to": "scheduled", "version": _version(change)}
    )
    assert WorkItem.objects.get(pk=change.pk).state == "authorize"
    html = _ok(refused, 200).content.decode()  # the Schedule dialog again, the reason asked for
    assert 'id="t-scheduled-conflict_override_reason_errors"' in html
    _ok(
        manager.post(
            f"/changes/{number}/transition",
            {
                "to": "scheduled",
                "version": _version(change),
                "conflict_override_reason": "Both teams work together that night.",
            },
        )
    )
    assert WorkItem.objects.get(pk=change.pk).state == "scheduled"

    # Implemented, reviewed with the review card's form, closed.
    for fields in (
        {"to": "implement"},
        {"to": "review", "close_code": "successful", "close_notes": "Firmware 7.2 running."},
    ):
        _ok(agent.post(f"/changes/{number}/transition", {**fields, "version": _version(change)}))
    _ok(
        agent.post(
            f"/changes/review/{number}/save",
            {
                "do": "complete",
                "objectives_met": "yes",
                "backout_executed": "no",
                "lessons": "Tell the Payroll owner earlier.",
                "follow_ups": "",
                "version": _version(change),
            },
        )
    )
    _ok(agent.post(f"/changes/{number}/transition", {"to": "closed", "version": _version(change)}))
    change = WorkItem.objects.get(pk=change.pk)
    assert (change.state, change.close_code) == ("closed", "successful")

    # The month on the calendar shows it.
    calendar = agent.get("/changes/calendar/", {"view": "list", "date": start.date().isoformat()})
    assert number in _ok(calendar, 200).content.decode()
