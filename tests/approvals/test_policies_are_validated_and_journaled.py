"""Approval policies (DOMAIN.md §2.3 change authority per type and risk, §2.4): administrators
create, change and delete them with their steps; each step names a stage of the kind (assess,
authorize), the people its approver kind needs and nothing else, a quorum of at least 1;
references stay within the tenant; nothing is half written; every write is journaled on the
policy (subject "approval_policy"). Change managers read them; the API mirrors the pages."""

from __future__ import annotations

import pytest

from serval.approvals import policies
from serval.approvals.models import ApprovalPolicy, PolicyStep
from serval.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from serval.core.models import JournalEvent
from tests import factories as f
from tests.approvals.conftest import assert_problem, make_policy, step


def _errors(**kwargs):
    with pytest.raises(ValidationFailed) as exc:
        policies.create_policy(name=kwargs.pop("name", "P"), **kwargs)
    return exc.value.as_dict()


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (step(stage="implement", users=[1]), "steps.0.stage"),
        (step(kind="nobody"), "steps.0.approver_kind"),
        (step(kind="users"), "steps.0.users"),
        (step(kind="team"), "steps.0.team"),
        (step(kind="board"), "steps.0.board"),
        (step(kind="group_manager", users=["bob"]), "steps.0.users"),
        (step(kind="users", users=["bob"], mode="quorum", quorum=0), "steps.0.quorum"),
        (step(kind="users", users=["bob"], mode="quorum", quorum=2), "steps.0.quorum"),
        (step(kind="service_owners", mode="any"), "steps.0.mode"),
        (step(kind="users", users=["nobody-at-all"]), "steps.0.users"),
        (step(kind="users", users=["bob"], order=0), "steps.0.order"),
    ],
)
def test_a_step_carries_what_its_approver_kind_needs(world, raw, field):
    assert field in _errors(actor=world.admin, steps=[raw])
    assert not ApprovalPolicy.objects.filter(name="P").exists()  # nothing half written


def test_references_stay_in_the_tenant(world):
    assert "steps.0.users" in _errors(
        actor=world.admin, steps=[step(users=[world.outsider_agent.pk])]
    )
    assert "steps.0.team" in _errors(
        actor=world.admin, steps=[step(kind="team", team=world.outsider_team.pk)]
    )


def test_types_and_risks_are_the_kinds_values(world):
    assert "change_types" in _errors(actor=world.admin, change_types=["standard"])
    assert "risks" in _errors(actor=world.admin, risks=["extreme"])
    assert "kind" in _errors(actor=world.admin, kind="incident")


def test_create_update_delete_journaled(world):
    policy = make_policy(
        world,
        step(users=[world.agent2.pk], label=""),
        step(stage="authorize", kind="team", team=world.team2.pk, mode="all"),
        risks=("high", "moderate"),
        name="Infra",
    )
    assert policy.risks == ["moderate", "high"]  # canonical order
    labels = list(policy.steps.order_by("stage").values_list("label", flat=True))
    assert labels == ["Named people", "Network"]  # default labels
    policies.update_policy(actor=world.admin, policy=policy, expected_version=1, name="Infra 2")
    with pytest.raises(StaleVersion):
        policies.update_policy(actor=world.admin, policy=policy, expected_version=1, order=5)
    peer = policy.steps.get(stage="assess")
    policies.update_step(
        actor=world.admin,
        step=peer,
        users=[world.agent2.pk, world.manager.pk],
        mode="quorum",
        quorum=2,
    )
    peer.refresh_from_db()
    assert (peer.mode, peer.quorum, peer.users.count()) == ("quorum", 2, 2)
    added = policies.add_step(
        actor=world.admin, policy=policy, stage="authorize", approver_kind="service_owners"
    )
    policies.delete_step(actor=world.admin, step=added)
    verbs = list(
        JournalEvent.objects.filter(subject_type="approval_policy", subject_id=policy.pk)
        .order_by("seq")
        .values_list("verb", flat=True)
    )
    assert verbs == ["created", "updated", "step_updated", "step_added", "step_removed"]
    policies.delete_policy(actor=world.admin, policy=policy)
    assert not PolicyStep.objects.filter(policy_id=policy.pk).exists()
    assert JournalEvent.objects.filter(
        subject_type="approval_policy", subject_id=policy.pk, verb="deleted"
    ).exists()


def test_only_administrators_write_and_change_managers_read(world):
    policy = make_policy(world, step(users=[world.agent2.pk]))
    with pytest.raises(PermissionDenied):
        policies.update_policy(actor=world.manager, policy=policy, name="Mine")
    with pytest.raises(PermissionDenied):
        policies.create_policy(actor=world.agent, name="Mine")
    assert policy in policies.policies_visible_to(world.manager)
    assert not policies.policies_visible_to(world.agent).exists()
    assert not policies.policies_visible_to(world.outsider_agent).filter(pk=policy.pk).exists()


def test_the_api(world, api_as):
    admin = api_as(world.admin)
    created = admin.post(
        "approvals/policies",
        {
            "name": "API policy",
            "risks": ["very_high"],
            "steps": [
                {"stage": "assess", "approver_kind": "group_manager"},
                {
                    "stage": "authorize",
                    "approver_kind": "users",
                    "users": ["bob", "mona"],
                    "mode": "quorum",
                    "quorum": 2,
                },
            ],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert [s["approver_kind"] for s in body["steps"]] == ["group_manager", "users"]
    pid = body["id"]
    bad = admin.post(
        "approvals/policies",
        {"name": "Bad", "steps": [{"stage": "authorize", "approver_kind": "team"}]},
    )
    assert assert_problem(bad, 422)["errors"][0]["field"] == "steps.0.team"
    etag = admin.get(f"approvals/policies/{pid}")["ETag"]
    assert (
        admin.patch(f"approvals/policies/{pid}", {"active": False}, If_Match=etag).status_code
        == 200
    )
    assert_problem(admin.patch(f"approvals/policies/{pid}", {"order": 3}, If_Match=etag), 412)
    step_id = body["steps"][1]["id"]
    changed = admin.patch(f"approvals/policies/{pid}/steps/{step_id}", {"mode": "all"}).json()
    assert (changed["mode"], changed["quorum"]) == ("all", 1)
    assert api_as(world.manager).get(f"approvals/policies/{pid}").json()["editable"] is False
    assert_problem(api_as(world.manager).patch(f"approvals/policies/{pid}", {"order": 1}), 403)
    assert_problem(api_as(world.agent).get("approvals/policies"), 403)
    assert_problem(api_as(world.outsider_agent).get(f"approvals/policies/{pid}"), 403)
    outsider_admin = api_as(f.make_user("admin", world.other_tenant, "ozzy"))
    assert_problem(outsider_admin.get(f"approvals/policies/{pid}"), 404)
    assert admin.delete(f"approvals/policies/{pid}/steps/{step_id}").status_code == 204
    assert admin.delete(f"approvals/policies/{pid}").status_code == 204
    assert_problem(admin.get(f"approvals/policies/{pid}"), 404)


def test_the_pages(world, client):
    client.force_login(world.admin)
    response = client.post(
        "/approvals/policies/new",
        {
            "name": "Web policy",
            "change_types": ["normal"],
            "risks": ["low"],
            "order": 3,
            "active": "on",
        },
    )
    policy = ApprovalPolicy.objects.get(name="Web policy")
    assert response["Location"] == f"/approvals/policies/{policy.pk}/"
    refused = client.post(
        f"/approvals/policies/{policy.pk}/steps/new",
        {"stage": "assess", "order": 1, "approver_kind": "team", "mode": "any", "quorum": 1},
    )
    assert refused.status_code == 422 and "Choose the team." in refused.content.decode()
    client.post(
        f"/approvals/policies/{policy.pk}/steps/new",
        {
            "stage": "assess",
            "order": 1,
            "approver_kind": "users",
            "users": "bob, mona",
            "mode": "any",
            "quorum": 1,
        },
    )
    [created] = policy.steps.all()
    assert sorted(created.users.values_list("username", flat=True)) == ["bob", "mona"]
    page = client.get(f"/approvals/policies/{policy.pk}/").content.decode()
    assert "Named people" in page and "bob, mona" in page
    client.force_login(world.manager)
    read_only = client.get(f"/approvals/policies/{policy.pk}/").content.decode()
    assert "Save policy" not in read_only and "Only administrators" in read_only
    assert client.post(f"/approvals/policies/{policy.pk}/delete").status_code == 404
