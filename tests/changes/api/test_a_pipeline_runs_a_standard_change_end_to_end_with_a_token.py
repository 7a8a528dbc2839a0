"""A CI/CD pipeline, with nothing but a token, opens a standard change from an approved template,
waits until it is scheduled, implements it, records the outcome and closes it (issue 5 "API";
DOMAIN.md §2.3 standard path New → Scheduled → Implement → Review → Closed)."""

from __future__ import annotations

from tests.api.conftest import assert_problem
from tests.changes.api.helpers import approved_template, iso_window


def test_a_pipeline_opens_schedules_implements_and_closes_a_standard_change(world, api_as):
    template = approved_template(world)
    pipeline = api_as(world.agent)
    start, end = iso_window()

    listed = pipeline.get("changes/templates?usable=true").json()
    assert template.pk in [t["id"] for t in listed["items"]]

    created = pipeline.post(
        "changes",
        {
            "template": template.pk,
            "planned_start": start,
            "planned_end": end,
            "assignment_group": world.team.pk,
            "description": "Release 4.2.1 (build 977).",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    number = body["number"]
    assert number.startswith("CHG-")
    assert created["Location"].endswith(f"/api/v1/changes/{number}")
    assert created["ETag"]
    assert (body["type"], body["state"]) == ("standard", "new")
    assert body["template"] == {"id": template.pk, "name": template.name}
    assert body["implementation_plan"] == "Run the deployment pipeline."
    assert {t["to"] for t in body["allowed_transitions"]} == {"scheduled", "cancelled"}

    scheduled = pipeline.post(f"changes/{number}/transition", {"to": "scheduled"})
    assert scheduled.status_code == 200, scheduled.content

    # The pipeline waits (polls) until the change is scheduled before deploying.
    state = pipeline.get(f"changes/{number}").json()["state"]
    assert state == "scheduled"

    started = pipeline.post(f"changes/{number}/transition", {"to": "implement"})
    assert started.status_code == 200, started.content
    assert started.json()["actual_start"] is not None

    tasks = pipeline.get(f"changes/{number}/tasks").json()
    assert [t["title"] for t in tasks] == ["Deploy to the first node", "Smoke-test the health page"]
    for task in tasks:
        moved = pipeline.post(f"change-tasks/{task['number']}/transition", {"to": "in_progress"})
        assert moved.status_code == 200, moved.content
        done = pipeline.post(
            f"change-tasks/{task['number']}/transition",
            {"to": "complete", "close_notes": "Done by the pipeline."},
        )
        assert done.status_code == 200, done.content
        assert done.json()["state"] == "complete"

    finished = pipeline.post(
        f"changes/{number}/transition",
        {"to": "review", "close_code": "successful", "close_notes": "Deployed, smoke tests green."},
    )
    assert finished.status_code == 200, finished.content
    assert finished.json()["close_code"] == "successful"
    assert finished.json()["actual_end"] is not None

    closed = pipeline.post(f"changes/{number}/transition", {"to": "closed"})
    assert closed.status_code == 200, closed.content
    assert closed.json()["state"] == "closed"
    assert closed.json()["allowed_transitions"] == []

    journal = pipeline.get(f"changes/{number}/journal").json()["items"]
    verbs = [e["verb"] for e in journal]
    assert verbs[0] == "created"
    assert {"task_added", "transition", "task_closed"} <= set(verbs)


def test_the_review_needs_the_outcome_and_a_wrong_move_names_the_allowed_ones(world, api_as):
    template = approved_template(world)
    pipeline = api_as(world.agent)
    start, end = iso_window()
    number = pipeline.post(
        "changes",
        {"template": template.pk, "planned_start": start, "planned_end": end},
    ).json()["number"]

    wrong = pipeline.post(f"changes/{number}/transition", {"to": "closed"})
    assert set(assert_problem(wrong, 409)["allowed"]) == {"scheduled", "cancelled"}

    pipeline.post(f"changes/{number}/transition", {"to": "scheduled"})
    missing = pipeline.post(f"changes/{number}/transition", {"to": "implement"})
    fields = {e["field"] for e in assert_problem(missing, 422)["errors"]}
    assert fields == {"assignment_group"}

    pipeline.patch(f"changes/{number}", {"assignment_group": world.team.pk})
    pipeline.post(f"changes/{number}/transition", {"to": "implement"})
    no_outcome = pipeline.post(f"changes/{number}/transition", {"to": "review"})
    fields = {e["field"] for e in assert_problem(no_outcome, 422)["errors"]}
    assert fields == {"close_code", "close_notes"}


def test_a_stale_if_match_is_412_and_unknown_fields_are_422(world, api_as):
    pipeline = api_as(world.agent)
    start, end = iso_window()
    created = pipeline.post(
        "changes",
        {
            "type": "normal",
            "title": "Upgrade the firewall",
            "planned_start": start,
            "planned_end": end,
        },
    )
    assert created.status_code == 201, created.content
    number, tag = created.json()["number"], created["ETag"]
    assert (
        pipeline.patch(
            f"changes/{number}", {"title": "Upgrade both firewalls"}, **{"If-Match": tag}
        ).status_code
        == 200
    )
    stale = pipeline.patch(f"changes/{number}", {"title": "Again"}, **{"If-Match": tag})
    assert_problem(stale, 412)
    unknown = pipeline.post("changes", {"title": "x", "risk": "low"})
    assert_problem(unknown, 422)
    standard_without_template = pipeline.post("changes", {"title": "x", "type": "standard"})
    fields = {e["field"] for e in assert_problem(standard_without_template, 422)["errors"]}
    assert fields == {"template"}
