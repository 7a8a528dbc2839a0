"""The answer to `POST /incidents` is built from the instance the create wrote instead of read
back (issue 6: one query less per create); it must be exactly what a GET of the incident
returns, ETag included, for every field a create can set (DESIGN.md §4, one IncidentOut)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.mark.parametrize("who", ["agent", "requester"])
def test_the_created_answer_is_the_get_answer(world, api_as, who):
    user = getattr(world, who)
    api = api_as(user)
    body: dict = {"title": "  VPN drops  ", "description": "Since **9:00**", "impact": 1}
    if who == "agent":
        body |= {
            "urgency": 2,
            "assignment_group": world.team.pk,
            "assignee": "alice",
            "caller": world.requester.username,
            "category": "network",
            "due_date": (timezone.now() + timedelta(days=2, microseconds=123456)).isoformat(),
        }
    created = api.post("incidents", body)
    assert created.status_code == 201, created.content
    fetched = api.get(f"incidents/{created.json()['number']}")
    assert fetched.status_code == 200
    assert created.json() == fetched.json()
    assert created["ETag"] == fetched["ETag"]
    if who == "agent":  # the SLA summary the create stored is in it (requesters never see it)
        assert created.json()["sla_next_breach_at"] is not None
