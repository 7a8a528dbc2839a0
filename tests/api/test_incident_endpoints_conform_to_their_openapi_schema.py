"""Schemathesis against the generated OpenAPI document, in-process over WSGI (DESIGN.md §6).

Bounded and deterministic (25 examples per operation, derandomized, no deadline). Every request
runs inside this test's database transaction, so nothing leaks between tests. Checks: no 5xx,
status codes, content types and bodies as documented.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories as f

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app():
    """Django's WSGI app, minus the per-request connection close that would end the test's
    transaction (the same thing Django's own test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_incident_operations_never_fail_and_match_the_schema(world, wsgi_app):
    numbers = [
        f.make_incident(world.agent, assignment_group=world.team.pk).number,
        f.make_incident(world.requester).number,
        f.make_incident(world.outsider_agent).number,
    ]
    headers = {"Authorization": f"Bearer {f.token_for(world.agent)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = [
        result.ok()
        for result in schema.include(path_regex=r"^/api/v1/incidents").get_all_operations()
    ]
    assert len(operations) >= 12

    for operation in operations:

        @settings(
            max_examples=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), known=st.sampled_from([*numbers, None]))
        def check(case, known):
            if known and case.path_parameters and "number" in case.path_parameters:
                case.path_parameters["number"] = known
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
