"""The outcome report per impacted service, team (assignment group), type and month of
implementation (DOMAIN.md §2.12 "per service, team and type"): a change counts in each service it
impacts, changes without a service or team have their own row."""

from __future__ import annotations

from datetime import timedelta

from serval.changes import reports
from serval.work.models import WorkItem
from tests.changes.outcome_helpers import build_history


def _rows(world, group):
    return {r.label: r for r in reports.outcomes(world.agent, group_by=group).rows}


def test_by_team(world, estate):
    build_history(world, estate)
    rows = _rows(world, "team")
    desk, network = rows["Service Desk"], rows["Network"]
    assert (desk.implemented, desk.closed, desk.failed, desk.emergency) == (3, 2, 2, 1)
    assert (desk.success_rate, desk.failure_rate) == (50.0, 66.7)
    assert (network.implemented, network.success_rate, network.failure_rate) == (1, 100.0, 0.0)
    assert list(rows) == ["Service Desk", "Network"]  # the busiest first


def test_by_service(world, estate):
    history = build_history(world, estate)
    rows = _rows(world, "service")
    payroll = rows[estate.payroll.name]
    assert (payroll.implemented, payroll.successful, payroll.success_rate) == (1, 1, 100.0)
    assert rows["No impacted service"].implemented == 3
    assert history.ok.pk


def test_by_type(world, estate):
    build_history(world, estate)
    rows = _rows(world, "type")
    assert (rows["Normal"].implemented, rows["Normal"].emergency) == (3, 0)
    assert (
        rows["Emergency"].implemented,
        rows["Emergency"].failure_rate,
        rows["Emergency"].closed,
    ) == (1, 100.0, 0)


def test_by_month_in_order(world, estate):
    history = build_history(world, estate)
    earlier = history.issues.resolved_at - timedelta(days=40)
    WorkItem.objects.filter(pk=history.issues.pk).update(resolved_at=earlier)
    rows = reports.outcomes(world.agent, group_by="month").rows
    assert [r.implemented for r in rows] == [1, 3]
    assert rows[0].key < rows[1].key and len(rows[0].key) == 7
