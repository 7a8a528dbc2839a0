"""Builders for the change API tests: an approved standard-change template, ISO windows."""

from __future__ import annotations

import itertools
from typing import Any

from serval.changes import standard
from serval.changes.models import ChangeTemplate
from tests.changes.conftest import window

_n = itertools.count(1)


def approved_template(world: Any, **fields: Any) -> ChangeTemplate:
    """A template drafted by an agent and approved by the change manager."""
    fields.setdefault("name", f"Deploy a release {next(_n)}")
    fields.setdefault("title", "Deploy the payroll web release")
    fields.setdefault("implementation_plan", "Run the deployment pipeline.")
    fields.setdefault("backout_plan", "Redeploy the previous release.")
    fields.setdefault(
        "tasks",
        [
            {"title": "Deploy to the first node", "assignment_group": world.team.pk},
            {"title": "Smoke-test the health page"},
        ],
    )
    template = standard.create_template(actor=world.agent, **fields)
    return standard.approve_template(actor=world.manager, template=template)


def iso_window(**kwargs: Any) -> tuple[str, str]:
    start, end = window(**kwargs)
    return start.isoformat(), end.isoformat()
