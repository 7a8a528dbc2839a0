"""Creating an incident through the API costs a fixed, small number of queries (issue 6): the
priority matrix, SLA definitions and calendars come from the reference cache
(serval.core.refcache), a new item's journal chain and clocks are not read (it is new in this
transaction: only the create appends to it), each clock goes in with one INSERT, and the
response is built from what was written plus the names it shows. STYLE.md rule 14."""

from __future__ import annotations

from tests import factories as f


def test_an_api_create_is_a_fixed_number_of_queries(world, api_as, django_assert_num_queries):
    api = api_as(world.agent)
    body = {
        "title": "Printer offline",
        "impact": 2,
        "urgency": 2,
        "assignment_group": world.team.pk,
    }
    assert api.post("incidents", body).status_code == 201  # warms the reference cache
    # token; reach; the group; the reference version; the INC counter (read, bump); item,
    # detail, "created" event; the group's members and the assignment mail task; per clock
    # (two: P3 response and resolution) its INSERT, "sla_started", its check task; the item's
    # SLA summary; then the response: the names (the row is the one just written, and a create
    # links no services, so none are looked up). Savepoints are counted too (the test runs
    # inside a transaction).
    with django_assert_num_queries(21) as captured:
        response = api.post("incidents", body)
    assert response.status_code == 201, response.content
    statements = [q["sql"].split()[0] for q in captured.captured_queries]
    assert statements.count("INSERT") == 10
    assert response.json()["priority"] == 3
    assert response.json()["caller"]["username"] == world.agent.username
    later = f.make_incident(world.agent, title="Next one")
    assert later.number != response.json()["number"]
