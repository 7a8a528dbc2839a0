"""Conflict detection is set-based (issue 5; DOMAIN.md §2.3): the number of queries one
detection takes does not grow with the change's CIs, their relationships or the windows."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from serval.changes import conflicts
from serval.changes.models import ChangeDetail
from serval.cmdb.models import CIClass
from serval.work.models import WorkItem
from tests.changes.conftest import make_change
from tests.changes.schedule.conftest import make_window
from tests.cmdb.conftest import make_ci, relate


def _queries(change) -> int:
    item = WorkItem.objects.get(pk=change.pk)
    detail = ChangeDetail.objects.get(pk=change.pk)
    with CaptureQueriesContext(connection) as captured:
        conflicts.detect(item, detail)
    return len(captured.captured_queries)


def test_one_ci_or_twelve_take_the_same_queries(world, estate):
    hardware = CIClass.objects.get(tenant__isnull=True, name="hardware")
    make_window(world.manager, name="Global freeze")
    make_window(world.manager, name="On the server", cis=[estate.server.pk])
    make_window(world.manager, name="On hardware", ci_classes=[hardware.pk])
    make_window(world.manager, name="On payroll", services=[estate.payroll.pk])
    make_window(world.manager, name="On the desk", teams=[world.team.pk])
    make_window(world.manager, kind="maintenance", name="Slot", cis=[estate.db.pk])
    make_change(world.agent2, cis=(estate.server,))  # another change on the schedule
    small = make_change(world.agent, cis=(estate.db,), assignment_group=world.team.pk)
    many = [make_ci(world.agent, f"node-{n}") for n in range(10)]
    for node in many:
        relate(world.agent, node, "runs_on", estate.server)
    big = make_change(
        world.agent,
        cis=(estate.db, estate.app, *many),
        assignment_group=world.team.pk,
        assignee=world.agent.pk,
    )
    assert _queries(big) <= _queries(small) + 1  # + rule 7's query (it has an assignee)
    assert (
        len(conflicts.detect(WorkItem.objects.get(pk=big.pk), ChangeDetail.objects.get(pk=big.pk)))
        > 12
    )
