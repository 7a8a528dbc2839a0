"""The impact × urgency matrix: everyone reads it, only admins change a cell.

DOMAIN.md §2.1 (priority matrix editable by admins); SECURITY-REFERENCE A9.
"""

from __future__ import annotations

from serval.core.journal import verify
from serval.core.models import JournalEvent
from tests import factories as f
from tests.api.conftest import Api, assert_problem


def test_everyone_reads_the_seeded_matrix(world, api_as):
    cells = api_as(world.requester).get("incidents/priority-matrix").json()["cells"]
    assert len(cells) == 9
    assert {"impact": 1, "urgency": 1, "priority": 1} in cells
    assert {"impact": 3, "urgency": 3, "priority": 5} in cells


def test_only_admins_edit_and_new_incidents_follow(world):
    cell = {"impact": 3, "urgency": 3, "priority": 4}
    assert_problem(Api(f.token_for(world.agent)).put("incidents/priority-matrix", cell), 403)
    assert_problem(Api(f.token_for(world.manager)).put("incidents/priority-matrix", cell), 403)
    admin = Api(f.token_for(world.admin))
    response = admin.put("incidents/priority-matrix", cell)
    assert response.status_code == 200
    assert cell in response.json()["cells"]
    created = admin.post("incidents", {"title": "Low", "impact": 3, "urgency": 3})
    assert created.json()["priority"] == 4
    event = JournalEvent.objects.get(subject_type="priority_matrix")
    assert event.data == {"impact": 3, "urgency": 3, "priority": [5, 4]}
    assert list(verify("priority_matrix")) == []


def test_out_of_range_cells_are_422(world):
    admin = Api(f.token_for(world.admin))
    body = assert_problem(
        admin.put("incidents/priority-matrix", {"impact": 4, "urgency": 1, "priority": 1}), 422
    )
    assert body["errors"][0]["field"] == "impact"
