"""The queues' filters must be able to use the open-item partial indexes (issue 6).

SQLite uses a partial index only when the query's WHERE names the index's condition term for
term; with the states as bound parameters it never could, and a team's queue sorted every item
of the team (serval.work.lookups). Children of an item are found through an index of the set
`parent` values only (work_parent): a full index, mostly NULLs, led SQLite to walk the whole
tenant. The rows must be the same whatever SQL is written.
"""

from __future__ import annotations

from itertools import combinations

from django.db import OperationalError, connection
from django.db.models import F, Subquery

from serval.incidents import states as S
from serval.work.lookups import OPEN_INDEX_STATES
from serval.work.models import WorkItem
from tests import factories as f

ALL = list(S.INCIDENT.states)


def _usable(index: str, sql: str, params) -> bool:
    """Can SQLite answer this query from `index`? (`INDEXED BY` fails when it cannot.)"""
    forced = sql.replace('FROM "work_workitem"', f'FROM "work_workitem" INDEXED BY {index}', 1)
    try:
        with connection.cursor() as cursor:
            cursor.execute(forced, params)
            cursor.fetchall()
    except OperationalError as exc:
        assert "no query solution" in str(exc)
        return False
    return True


def _items(world):
    made = []
    for n, state in enumerate(ALL * 2):
        item = f.make_incident(world.agent, title=f"Queue {n}", assignment_group=world.team.pk)
        WorkItem.objects.filter(pk=item.pk).update(state=state, priority=n % 5 + 1)
        made.append(item.pk)
    return made


def test_every_combination_of_states_finds_the_same_rows(world):
    made = _items(world)
    states = dict(WorkItem.objects.filter(pk__in=made).values_list("pk", "state"))
    for size in range(1, len(ALL) + 1):
        for chosen in combinations(ALL, size):
            found = set(WorkItem.objects.filter(pk__in=made, state__in=chosen).values_list("pk"))
            assert {pk for (pk,) in found} == {pk for pk, s in states.items() if s in chosen}
            left = set(WorkItem.objects.filter(pk__in=made).exclude(state__in=chosen))
            assert {i.pk for i in left} == {pk for pk, s in states.items() if s not in chosen}
    # Not plain names: a subquery and an odd value keep the ordinary form and still work.
    sub = WorkItem.objects.filter(pk=made[0]).values("state")
    same = WorkItem.objects.filter(state__in=Subquery(sub), pk__in=made)
    assert {i.pk for i in same} == {pk for pk in made if states[pk] == states[made[0]]}
    assert not WorkItem.objects.filter(state__in=["new'; --", "NEW"]).exists()
    assert not WorkItem.objects.filter(state__in=[]).exists()


def test_open_states_are_written_as_the_index_condition(world):
    # The indexes' states are the incident practice's open states (`work` cannot import them).
    assert set(OPEN_INDEX_STATES) == set(S.OPEN_STATES)
    open_sql = "\"state\" IN ('new', 'in_progress', 'on_hold')"
    for chosen in (S.OPEN_STATES, ("on_hold", "new"), ("in_progress",)):
        sql, params = WorkItem.objects.filter(state__in=chosen).query.sql_with_params()
        assert open_sql in sql
        assert not set(chosen) & set(params)
    sql, _params = WorkItem.objects.filter(state__in=("new", "closed")).query.sql_with_params()
    assert open_sql not in sql


def test_sqlite_can_serve_the_team_queue_and_children_from_their_indexes(world):
    _items(world)
    if connection.vendor != "sqlite":
        return  # PostgreSQL proves index predicates itself; the rows are tested above.
    for chosen in (S.OPEN_STATES, ("new", "in_progress")):
        queue = (
            WorkItem.objects.visible_to(world.agent)
            .filter(kind="incident", state__in=chosen, assignment_group=world.team)
            .order_by("priority", "pk")[:50]
        )
        assert _usable("work_group_open_prio", *queue.query.sql_with_params())
        # The queue by next breach, ordered as the API's keyset pages order it (NULLs last).
        by_breach = queue.query.chain()
        by_breach.clear_ordering(force=True)
        by_breach.add_ordering(F("sla_next_breach_at").asc(nulls_last=True), "pk")
        assert _usable("work_group_open_breach", *by_breach.sql_with_params())
    # The control: the same condition with the states bound cannot use the index.
    bound = 'SELECT "id" FROM "work_workitem" WHERE "assignment_group_id" = %s AND "state" IN '
    assert not _usable("work_group_open_prio", bound + "(%s, %s, %s)", [1, *S.OPEN_STATES])
    parent = WorkItem.objects.first()
    children = WorkItem.objects.visible_to(world.agent).filter(parent=parent)
    assert _usable("work_parent", *children.query.sql_with_params())
