"""docs/api.md: a reference in the body to something that does not exist or is out of reach is a
422 naming the field; 404 is kept for the record in the path. Linking a CI or a service to a
work item, the impact of several CIs and a CAB meeting's board follow it, and write nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from serval.approvals.models import BoardMeeting
from tests import factories as f
from tests.api.conftest import assert_problem
from tests.cmdb.conftest import make_ci


def _field_error(response, field: str) -> None:
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == [field]


def test_linking_an_unknown_ci_or_service_to_an_incident_names_the_field(world, api_as):
    inc = f.make_incident(world.agent)
    api = api_as(world.agent)
    _field_error(api.post(f"incidents/{inc.number}/cis", {"ci": 999_999}), "ci")
    _field_error(api.post(f"incidents/{inc.number}/services", {"service": 999_999}), "service")
    assert api.get(f"incidents/{inc.number}/cis").json() == []
    assert api.get(f"incidents/{inc.number}/services").json() == []
    assert_problem(api.post("incidents/INC-999999/cis", {"ci": 999_999}), 404)


def test_the_impact_of_several_cis_names_the_field_for_one_out_of_reach(world, api_as):
    mine = make_ci(world.agent, "db-1", "db_instance")
    theirs = make_ci(world.outsider_agent, "their-db", "db_instance")
    response = api_as(world.agent).post("cmdb/impact", {"cis": [mine.pk, theirs.pk]})
    _field_error(response, "cis")


def test_a_meeting_of_an_unknown_board_names_the_field(world, api_as):
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    response = api_as(world.manager).post(
        "approvals/meetings",
        {
            "board": 999_999,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
        },
    )
    _field_error(response, "board")
    assert not BoardMeeting.objects.exists()
