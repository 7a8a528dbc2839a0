"""Standard-change templates (DOMAIN.md §2.3 "pre-authorized when template approved"): agents
draft them with their tasks; only change managers approve or retire them; editing what was
approved withdraws the approval; pages and API show the same."""

from __future__ import annotations

import pytest

from serval.changes import standard
from serval.changes.models import ChangeTemplate
from serval.core.errors import PermissionDenied, ValidationFailed
from tests import factories as f
from tests.api.conftest import Api


def _draft(world, **extra):
    fields = dict(
        name="Renew a TLS certificate",
        title="Renew the certificate",
        implementation_plan="Issue, install, reload.",
        backout_plan="Reinstall the old certificate.",
        tasks=[{"title": "Install on the load balancer", "assignment_group": world.team2.pk}],
    )
    fields.update(extra)
    return standard.create_template(actor=world.agent, **fields)


def test_only_a_change_manager_approves_and_an_edit_withdraws_the_approval(world):
    template = _draft(world)
    assert not template.usable
    with pytest.raises(PermissionDenied):
        standard.approve_template(actor=world.agent, template=template)
    template = standard.approve_template(actor=world.manager, template=template)
    assert template.usable and template.approved_by == world.manager
    template = standard.update_template(actor=world.agent, template=template, category="Network")
    assert template.usable  # not part of what was approved
    template = standard.update_template(
        actor=world.agent, template=template, backout_plan="Roll back the load balancer."
    )
    assert not template.usable and template.approved_at is None
    template = standard.approve_template(actor=world.manager, template=template)
    template = standard.retire_template(actor=world.manager, template=template)
    assert not template.usable


def test_bad_task_lists_and_other_tenants_teams_are_field_errors(world):
    with pytest.raises(ValidationFailed) as exc:
        _draft(world, name="x", tasks=[{"title": ""}])
    assert "tasks" in exc.value.as_dict()
    with pytest.raises(ValidationFailed):
        _draft(world, name="y", tasks=[{"title": "t", "assignment_group": world.outsider_team.pk}])
    with pytest.raises(ValidationFailed) as exc:
        _draft(world, name="Renew a TLS certificate")
        _draft(world, name="Renew a TLS certificate")
    assert "name" in exc.value.as_dict()
    assert ChangeTemplate.objects.count() == 1


def test_the_pages_draft_approve_and_use_a_template(world, client):
    client.force_login(world.agent)
    response = client.post(
        "/changes/templates/new",
        {
            "name": "Restart the web tier",
            "title": "Rolling restart",
            "implementation_plan": "Drain, restart, undrain.",
            "backout_plan": "Undrain.",
            "impact": "3",
            "urgency": "3",
            "assignment_group": "",
            "tasks-TOTAL_FORMS": "2",
            "tasks-INITIAL_FORMS": "0",
            "tasks-0-title": "Drain node 1",
            "tasks-0-assignment_group": str(world.team.pk),
            "tasks-1-title": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    template = ChangeTemplate.objects.get(name="Restart the web tier")
    assert template.tasks == [
        {"title": "Drain node 1", "description": "", "assignment_group": world.team.pk}
    ]
    page = client.get(f"/changes/templates/{template.pk}/").content.decode()
    assert "Waiting for approval" in page and 'value="approve"' not in page
    client.force_login(world.manager)
    client.post(f"/changes/templates/{template.pk}/decide", {"op": "approve"})
    template.refresh_from_db()
    assert template.usable
    form = client.get(f"/changes/new?template={template.pk}").content.decode()
    assert "Drain, restart, undrain." in form
    assert client.get("/changes/templates/").status_code == 200


def test_the_api_lists_drafts_and_refuses_approval_by_agents(world):
    agent, manager = Api(f.token_for(world.agent)), Api(f.token_for(world.manager))
    made = agent.post(
        "changes/templates",
        {
            "name": "Rotate logs",
            "title": "Rotate the logs",
            "implementation_plan": "Run logrotate.",
            "backout_plan": "None needed.",
            "tasks": [{"title": "Check disk space"}],
        },
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert made.json()["usable"] is False
    assert agent.post(f"changes/templates/{pk}/approve").status_code == 403
    approved = manager.post(f"changes/templates/{pk}/approve")
    assert approved.status_code == 200 and approved.json()["usable"] is True
    assert Api(f.token_for(world.outsider_agent)).get(f"changes/templates/{pk}").status_code == 404
    assert Api(f.token_for(world.requester)).get("changes/templates").json()["items"] == []
