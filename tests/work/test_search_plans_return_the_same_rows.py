"""Search picks a plan by how common the words are (a newest-first walk for common words, the
full-text index first for rare ones; serval.core.search, issue 6). The choice must never change
the answer: the same rows, in the same order, for agents and requesters alike."""

from __future__ import annotations

import pytest
from django.db import connection

from serval.core import search
from serval.work.models import WorkItem
from tests import factories as f


def _found(user, text):
    qs = WorkItem.objects.visible_to(user).search(text).order_by("-opened_at", "-pk")
    return list(qs.values_list("pk", flat=True))


def test_both_plans_find_the_same_rows_in_the_same_order(world, monkeypatch):
    for n in range(6):
        f.make_incident(world.agent, title=f"Walrus printer {n}", description="toner smudge")
        f.make_incident(world.requester, title=f"Walrus scanner {n}")
    f.make_incident(world.outsider_agent, title="Walrus printer elsewhere")
    queries = ["walrus", "walrus printer", "toner smu", "printer scanner", "nothingatall"]
    for user in (world.agent, world.requester, world.requester_same_org, world.outsider_agent):
        answers = []
        for walk in (True, False):
            monkeypatch.setattr(search, "walks", lambda words, walk=walk: walk)
            answers.append({q: _found(user, q) for q in queries})
        assert answers[0] == answers[1]
    assert len(_found(world.agent, "walrus")) == 12
    assert len(_found(world.requester, "walrus")) == 6
    assert len(_found(world.outsider_agent, "walrus")) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics")
def test_common_words_walk_and_rare_words_use_the_index(world):
    for n in range(60):
        f.make_incident(world.agent, title=f"Walrus outage {n}" if n % 4 else f"Otter {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE work_workitem")
    search._stats.clear()
    assert search.walks(["walrus"])  # three in four items
    assert search.walks(["walr"])  # as a prefix too
    assert not search.walks(["zanzibar"])  # in no item
    assert not search.walks(["walrus", "zanzibar"])  # one rare word decides


def test_sqlite_walks_once_enough_items_match(world, monkeypatch):
    """SQLite counts the matches up to a threshold: sorting every match of a common word cost
    seconds at a million items, the newest-first walk milliseconds (benchmarks/README.md)."""
    if connection.vendor != "sqlite":
        return  # PostgreSQL decides from its statistics (the test above).
    monkeypatch.setattr(search, "SQLITE_WALK_FROM", 3)
    for n in range(2):
        f.make_incident(world.agent, title=f"Narwhal sighting {n}")
    assert not search.walks(["narwhal"])
    f.make_incident(world.agent, title="Narwhal sighting 2")
    assert search.walks(["narwhal"]) and search.walks(["narw"])
    assert not search.walks(["narwhal", "absent"])
    assert len(_found(world.agent, "narwhal")) == 3
