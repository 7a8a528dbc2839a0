"""Standard changes are pre-authorized: they start from an active, approved template, carry its
plans and tasks, and go New → Scheduled without approvals (DOMAIN.md §2.3)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from serval.changes import actions, tasks
from serval.changes.models import ChangeDetail, ChangeTemplate
from serval.core.errors import ValidationFailed
from serval.work.models import WorkItem
from tests.changes.conftest import window


def _template(world, **extra):
    defaults = dict(
        tenant=world.tenant,
        name="Restart a web node",
        title="Rolling restart of a web node",
        implementation_plan="Drain, restart, undrain.",
        backout_plan="Undrain the old node.",
        tasks=[
            {"title": "Drain the node", "assignment_group": world.team.pk},
            {"title": "Check the health page"},
        ],
        approved_by=world.manager,
        approved_at=timezone.now(),
    )
    defaults.update(extra)
    return ChangeTemplate.objects.create(**defaults)


def test_a_template_makes_a_standard_change_with_its_plans_and_tasks(world):
    template = _template(world)
    start, end = window()
    change = actions.create_change(
        actor=world.agent, template=template.pk, planned_start=start, planned_end=end
    )
    detail = ChangeDetail.objects.get(pk=change.pk)
    assert (detail.change_type, detail.template_id) == ("standard", template.pk)
    assert detail.implementation_plan == "Drain, restart, undrain."
    assert change.title == "Rolling restart of a web node"
    made = list(tasks.tasks_of(change).values_list("title", "assignment_group_id", "state"))
    assert made == [
        ("Drain the node", world.team.pk, "open"),
        ("Check the health page", None, "open"),
    ]
    assert all(
        n.startswith("CTASK-") for n in tasks.tasks_of(change).values_list("number", flat=True)
    )

    actions.transition_change(actor=world.agent, item=change, to="scheduled")
    assert WorkItem.objects.get(pk=change.pk).state == "scheduled"


def test_a_standard_change_needs_a_template_and_the_template_must_be_approved(world):
    with pytest.raises(ValidationFailed) as exc:
        actions.create_change(actor=world.agent, title="Just do it", change_type="standard")
    assert "template" in exc.value.as_dict()
    draft = _template(world, name="Draft", approved_at=None, approved_by=None)
    with pytest.raises(ValidationFailed) as exc:
        actions.create_change(actor=world.agent, template=draft.pk)
    assert "template" in exc.value.as_dict()


def test_a_template_of_another_tenant_is_unknown(world):
    theirs = _template(world, tenant=world.other_tenant, name="Theirs")
    with pytest.raises(ValidationFailed) as exc:
        actions.create_change(actor=world.agent, template=theirs.pk)
    assert exc.value.as_dict() == {"template": "Unknown template."}


def test_a_change_closes_only_when_its_tasks_are_closed(world):
    template = _template(world)
    start, end = window()
    change = actions.create_change(
        actor=world.agent,
        template=template.pk,
        planned_start=start,
        planned_end=end,
        assignment_group=world.team.pk,
    )
    for to in ("scheduled", "implement"):
        actions.transition_change(actor=world.agent, item=change, to=to)
    actions.transition_change(
        actor=world.agent, item=change, to="review", close_code="successful", close_notes="Done."
    )
    with pytest.raises(ValidationFailed) as exc:
        actions.transition_change(actor=world.agent, item=change, to="closed")
    assert "tasks" in exc.value.as_dict()
    for task in tasks.tasks_of(change):
        tasks.transition_task(actor=world.agent, task=task, to="in_progress")
        tasks.transition_task(actor=world.agent, task=task, to="complete", close_notes="ok")
    actions.transition_change(actor=world.agent, item=change, to="closed")
    assert WorkItem.objects.get(pk=change.pk).state == "closed"


def test_cancelling_a_change_cancels_its_open_tasks(world):
    change = actions.create_change(actor=world.agent, template=_template(world).pk)
    actions.transition_change(
        actor=world.agent, item=change, to="cancelled", cancel_reason="Not needed."
    )
    assert set(tasks.tasks_of(change).values_list("state", flat=True)) == {"cancelled"}
