"""Deciding over the API (issue 5 "API": `.../approvals/{id}/decide`): a pipeline reads a
change's approvals, an approver lists what waits for them and decides; bad input is a problem
document, someone else's approval a 403, another tenant's change a 404."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from serval.approvals import delegation
from serval.approvals.models import Approval
from tests.approvals.conftest import assert_problem, fresh, make_change, make_policy, step, submit


def _setup(world, estate):
    make_policy(
        world,
        step(users=[world.agent2.pk], label="Peer review"),
        step(stage="authorize", kind="service_owners", label="Service owners"),
    )
    return submit(world.agent, make_change(world.agent, cis=(estate.db,)))


def test_read_the_rounds_of_a_change(world, estate, api_as):
    change = _setup(world, estate)
    body = api_as(world.agent).get(f"changes/{change.number}/approvals").json()
    assert body["change"]["number"] == change.number
    [round_] = body["rounds"]
    assert (round_["number"], round_["state"]) == (1, "pending")
    [peer] = round_["steps"]
    assert (peer["stage"], peer["label"], peer["mode"], peer["state"], peer["needed"]) == (
        "assess",
        "Peer review",
        "any",
        "pending",
        1,
    )
    [approval] = peer["approvals"]
    assert approval["approver"]["username"] == "bob" and approval["can_decide"] is False
    mine = api_as(world.agent2).get(f"changes/{change.number}/approvals").json()
    assert mine["rounds"][0]["steps"][0]["approvals"][0]["can_decide"] is True


def test_my_approvals_then_decide(world, estate, api_as):
    change = _setup(world, estate)
    bob = api_as(world.agent2)
    waiting = bob.get("approvals?state=requested&mine=1").json()
    [item] = waiting["items"]
    assert item["change"]["number"] == change.number and item["can_decide"]
    response = bob.post(
        f"changes/{change.number}/approvals/{item['id']}/decide",
        {"decision": "approve", "comment": "Fine."},
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "approved"
    assert fresh(change).state == "authorize"
    assert bob.get("approvals?state=requested&mine=1").json()["items"] == []

    owner = api_as(estate.owner)
    [theirs] = owner.get("approvals?state=requested&mine=1").json()["items"]
    assert theirs["step"]["label"] == "Service owners"
    owner.post(f"changes/{change.number}/approvals/{theirs['id']}/decide", {"decision": "approve"})
    assert fresh(change).state == "scheduled"


def test_a_rejection_without_a_comment_and_unknown_fields_are_422(world, estate, api_as):
    change = _setup(world, estate)
    approval = Approval.objects.get(work_item=change)
    bob = api_as(world.agent2)
    path = f"changes/{change.number}/approvals/{approval.pk}/decide"
    body = assert_problem(bob.post(path, {"decision": "reject"}), 422)
    assert body["errors"] == [{"field": "comment", "message": "Say why you reject it."}]
    assert_problem(bob.post(path, {"decision": "maybe"}), 422)
    assert_problem(bob.post(path, {"decision": "approve", "state": "approved"}), 422)
    assert_problem(bob.post(path, {"decision": "approve", "comment": "x" * 4001}), 422)
    assert_problem(bob.post(path, '{"decision": '), 400)
    bob.post(path, {"decision": "approve"})
    closed = assert_problem(bob.post(path, {"decision": "approve"}), 422)
    assert closed["errors"][0]["field"] == "approval"


def test_someone_elses_approval_is_forbidden_and_other_tenants_do_not_exist(world, estate, api_as):
    change = _setup(world, estate)
    approval = Approval.objects.get(work_item=change)
    path = f"changes/{change.number}/approvals/{approval.pk}/decide"
    assert_problem(api_as(world.manager).post(path, {"decision": "approve"}), 403)
    assert_problem(api_as(world.agent).post(path, {"decision": "approve"}), 403)  # requester
    for outsider in (world.outsider_agent, world.requester):
        assert_problem(api_as(outsider).post(path, {"decision": "approve"}), 404)
        assert_problem(api_as(outsider).get(f"changes/{change.number}/approvals"), 404)
        assert api_as(outsider).get("approvals").json()["items"] == []
    other = make_change(world.agent)
    assert_problem(
        api_as(world.agent2).post(
            f"changes/{other.number}/approvals/{approval.pk}/decide", {"decision": "approve"}
        ),
        404,
    )
    assert_problem(api_as(world.agent2).get("changes/CHG-\x00/approvals"), 404)
    assert Approval.objects.get(pk=approval.pk).state == "requested"


def test_a_delegate_decides_over_the_api_on_behalf(world, estate, api_as):
    change = _setup(world, estate)
    now = timezone.now()
    delegation.create_delegation(
        actor=world.agent2,
        user=world.agent2,
        delegate=world.manager,
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(days=1),
    )
    mona = api_as(world.manager)
    [item] = mona.get("approvals?state=requested&mine=1").json()["items"]
    decided = mona.post(
        f"changes/{change.number}/approvals/{item['id']}/decide", {"decision": "approve"}
    ).json()
    assert decided["on_behalf_of"]["username"] == "bob"
    assert decided["decided_by"]["username"] == "mona"


def test_the_list_filters_and_pages(world, estate, api_as):
    make_policy(world, step(users=[world.agent2.pk]))
    changes = [submit(world.agent, make_change(world.agent)) for _ in range(3)]
    bob = api_as(world.agent2)
    first = bob.get("approvals?mine=1&limit=2").json()
    assert len(first["items"]) == 2 and first["next"]
    second = bob.get(first["next"].removeprefix("http://testserver")).json()
    numbers = [i["change"]["number"] for i in first["items"] + second["items"]]
    assert sorted(numbers) == sorted(c.number for c in changes)
    assert numbers == [c.number for c in reversed(changes)]  # newest first
    only = bob.get(f"approvals?change={changes[0].number}").json()["items"]
    assert [i["change"]["number"] for i in only] == [changes[0].number]
    assert_problem(bob.get("approvals?state=bogus"), 422)
    assert_problem(bob.get("approvals?cursor=forged"), 422)
