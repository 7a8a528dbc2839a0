"""Query-count guards (STYLE: no N+1): the outcome report is two aggregate queries whatever the
number of changes and groups; the risk and review reads do not grow with questions, reasons or
incidents."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from serval.changes import questionnaire
from tests.changes.risk_helpers import (
    answer_all,
    api_for,
    client_for,
    closed,
    implemented,
    incident,
    link_caused,
    make_change,
)


def _count(call) -> int:
    call()  # warm: a token's first use and the session are written once
    with CaptureQueriesContext(connection) as ctx:
        response = call()
        assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def test_the_outcome_report_does_not_grow_with_changes(world, estate):
    api = api_for(world.agent)
    page = client_for(world.agent)
    closed(world.agent, make_change(world.agent, cis=(estate.db,), assignment_group=world.team.pk))
    counts = {}
    for group in ("service", "team", "type", "month"):
        counts[group] = (
            _count(lambda g=group: api.get(f"changes/reports/outcomes?group_by={g}")),
            _count(lambda g=group: page.get(f"/changes/reports/outcomes/?group_by={g}")),
        )
    for n in range(4):
        team = world.team if n % 2 else world.team2
        item = closed(
            world.agent,
            make_change(world.agent, cis=(estate.db,), assignment_group=team.pk),
            "unsuccessful",
        )
        link_caused(world.agent, incident(world.agent), item)
    for group, (api_count, page_count) in counts.items():
        assert (
            _count(lambda g=group: api.get(f"changes/reports/outcomes?group_by={g}")) == api_count
        )
        assert (
            _count(lambda g=group: page.get(f"/changes/reports/outcomes/?group_by={g}"))
            == page_count
        )
        assert api_count <= 8


def test_risk_reads_do_not_grow_with_questions_or_answers(world, estate):
    change = make_change(world.agent, cis=(estate.db,))
    api = api_for(world.agent)
    page = client_for(world.agent)
    before = (
        _count(lambda: api.get(f"changes/{change.number}/risk")),
        _count(lambda: page.get(f"/changes/risk/{change.number}/")),
    )
    for n in range(5):
        questionnaire.create_question(
            actor=world.admin,
            text=f"Extra {n}",
            options=[{"label": "a", "score": 1}, {"label": "b", "score": 2}],
        )
    answer_all(world.agent, change, pick=1)
    after = (
        _count(lambda: api.get(f"changes/{change.number}/risk")),
        _count(lambda: page.get(f"/changes/risk/{change.number}/")),
    )
    assert after == before
    assert before[0] <= 10


def test_review_reads_do_not_grow_with_incidents(world):
    change = implemented(world.agent, make_change(world.agent, assignment_group=world.team.pk))
    api = api_for(world.agent)
    page = client_for(world.agent)
    link_caused(world.agent, incident(world.agent), change)
    before = (
        _count(lambda: api.get(f"changes/{change.number}/review")),
        _count(lambda: page.get(f"/changes/review/{change.number}/")),
    )
    for _n in range(5):
        link_caused(world.agent, incident(world.agent), change)
    after = (
        _count(lambda: api.get(f"changes/{change.number}/review")),
        _count(lambda: page.get(f"/changes/review/{change.number}/")),
    )
    assert after == before
