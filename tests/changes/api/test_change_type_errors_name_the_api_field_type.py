"""The API calls a change's type `type`; a refused type is a field error on `type` — not on the
action's internal name `change_type`, which no client can send — and nothing is written."""

from __future__ import annotations

from serval.work.models import WorkItem
from tests.api.conftest import assert_problem
from tests.changes.api.helpers import approved_template


def test_a_template_with_a_normal_type_is_an_error_on_type(world, api_as):
    template = approved_template(world)
    before = WorkItem.objects.count()
    response = api_as(world.agent).post(
        "changes", {"template": template.pk, "type": "normal", "title": "Release"}
    )
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["type"]
    assert "change_type" not in body["detail"]
    assert WorkItem.objects.count() == before


def test_making_a_change_standard_without_a_template_is_an_error_on_type(world, api_as):
    api = api_as(world.agent)
    number = api.post("changes", {"type": "normal", "title": "Swap a disk"}).json()["number"]
    response = api.patch(f"changes/{number}", {"type": "standard"})
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["type"]
    assert api.get(f"changes/{number}").json()["type"] == "normal"
