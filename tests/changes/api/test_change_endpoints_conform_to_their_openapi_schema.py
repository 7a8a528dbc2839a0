"""Schemathesis against the OpenAPI document for the core change endpoints, change tasks and
templates, in-process over WSGI (DESIGN.md §6): no 5xx, documented status codes, content types
and bodies. Bounded and deterministic like the incident one."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serval.changes import tasks
from tests import factories as f
from tests.api.test_incident_endpoints_conform_to_their_openapi_schema import (  # noqa: F401
    CHECKS,
    wsgi_app,
)
from tests.changes.api.helpers import approved_template
from tests.changes.conftest import make_change

CORE = (
    r"^/api/v1/change-tasks|^/api/v1/changes(/templates.*)?$"
    r"|^/api/v1/changes/\{number\}(/(transition|comments|journal|attachments|watchers.*|cis.*"
    r"|services.*|impact|tasks|links.*))?$"
)


def test_change_operations_never_fail_and_match_the_schema(world, wsgi_app):  # noqa: F811
    template = approved_template(world)
    changes = [
        make_change(world.agent, assignment_group=world.team.pk),
        make_change(world.agent, change_type="emergency"),
        make_change(world.outsider_agent),
    ]
    task = tasks.create_task(actor=world.agent, change=changes[0], title="Step one")
    numbers = [c.number for c in changes] + [task.number]
    headers = {"Authorization": f"Bearer {f.token_for(world.agent)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = [r.ok() for r in schema.include(path_regex=CORE).get_all_operations()]
    assert len(operations) >= 30

    for operation in operations:

        @settings(
            max_examples=12,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=operation.as_strategy(),
            known=st.sampled_from([*numbers, None]),
            known_id=st.sampled_from([template.pk, None]),
        )
        def check(case, known, known_id):
            params = case.path_parameters or {}
            if known and "number" in params:
                params["number"] = known
            if known_id and "id" in params:
                params["id"] = known_id
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
