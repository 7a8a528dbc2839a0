"""Mass assignment: a field the schema does not declare is a 422 naming it.

SECURITY-REFERENCE A8 (unknown JSON fields rejected).
"""

from __future__ import annotations

from tests import factories as f
from tests.api.conftest import assert_problem


def test_unknown_fields_on_create_patch_and_transition(world, api_as):
    api = api_as(world.agent)
    number = f.make_incident(world.agent).number
    cases = [
        ("post", "incidents", {"title": "x", "tenant_id": 2}, "tenant_id"),
        ("post", "incidents", {"title": "x", "version": 7}, "version"),
        ("patch", f"incidents/{number}", {"state": "closed"}, "state"),
        ("patch", f"incidents/{number}", {"reassignment_count": 0}, "reassignment_count"),
        ("post", f"incidents/{number}/transition", {"to": "on_hold", "x": 1}, "x"),
        ("post", f"incidents/{number}/comments", {"body": "hi", "actor": 1}, "actor"),
        ("post", "tokens", {"name": "t", "user": 1}, "user"),
    ]
    for method, path, body, field in cases:
        problem = assert_problem(api.call(method, path, body), 422)
        assert {"field": field, "message": "Unknown field."} in problem["errors"], problem


def test_wrong_types_name_their_json_path(world, api_as):
    api = api_as(world.agent)
    problem = assert_problem(api.post("incidents", {"title": "x", "impact": 7}), 422)
    assert [e["field"] for e in problem["errors"]] == ["impact"]
    problem = assert_problem(api.post("teams", {"name": "T", "members": [{"a": 1}]}), 422)
    assert problem["errors"][0]["field"].startswith("members.0")
