"""DOMAIN.md §2.7 impact propagation, checked against a plain Python BFS (DESIGN.md §6).

Random small graphs — self-contained cycles, diamonds, parallel edges of several types — are
written to the database; the recursive query must reach exactly the CIs a BFS over dependency
edges reaches within the depth limit, at the same (shortest) depth, and each returned path must
be a real chain of dependency edges from a start CI of exactly that length.
"""

from __future__ import annotations

from collections import deque

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serval.cmdb import impact
from serval.cmdb.models import CI, CIRelationship, RelationshipType
from tests.cmdb.conftest import cls

TYPES = ["depends_on", "runs_on", "connects_to", "contains", "manages", "members"]


class Rollback(Exception):
    pass


def bfs(edges, start, depth, upstream):
    """Shortest dependency distance from `start` to every node within `depth`."""
    adjacency: dict[int, list[int]] = {}
    for parent, kind, child in edges:
        if not kind_is_dependency(kind):
            continue
        src, dst = (child, parent) if upstream else (parent, child)
        adjacency.setdefault(src, []).append(dst)
    seen = {s: 0 for s in start}
    queue = deque(start)
    while queue:
        node = queue.popleft()
        if seen[node] == depth:
            continue
        for nxt in adjacency.get(node, []):
            if nxt not in seen:
                seen[nxt] = seen[node] + 1
                queue.append(nxt)
    return seen


_DEPENDENCY: dict[str, bool] = {}


def kind_is_dependency(kind: str) -> bool:
    return _DEPENDENCY[kind]


graphs = st.integers(min_value=2, max_value=9).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(
            st.tuples(st.integers(0, n - 1), st.sampled_from(TYPES), st.integers(0, n - 1)).filter(
                lambda e: e[0] != e[2]
            ),
            max_size=n * 3,
            unique_by=lambda e: (e[0], e[1], e[2]),
        ),
        st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True),
        st.integers(min_value=1, max_value=6),
        st.booleans(),
    )
)


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(graph=graphs)
def test_recursive_query_agrees_with_bfs(world_tenant, graph):
    n, edges, start, depth, upstream = graph
    _DEPENDENCY.update(RelationshipType.objects.values_list("name", "is_dependency"))
    try:
        with transaction.atomic():
            server = cls("server")
            nodes = [
                CI.objects.create(tenant=world_tenant, name=f"n{i}", ci_class=server)
                for i in range(n)
            ]
            types = {t.name: t for t in RelationshipType.objects.all()}
            # Bypass the one-parent rule on purpose: the walk must cope with any stored graph.
            CIRelationship.objects.bulk_create(
                CIRelationship(tenant=world_tenant, parent=nodes[p], child=nodes[c], type=types[k])
                for p, k, c in edges
            )
            ids = [node.pk for node in nodes]
            index = {pk: i for i, pk in enumerate(ids)}
            result = impact.walk(
                [ids[s] for s in start],
                direction="upstream" if upstream else "downstream",
                depth=depth,
            )
            expected = bfs(edges, start, depth, upstream)
            got = {index[h.id]: h.depth for h in result.cis}
            assert got == {k: v for k, v in expected.items() if v > 0}
            dependency = {
                (p, c) if upstream else (c, p) for p, k, c in edges if kind_is_dependency(k)
            }
            for hop in result.cis:
                path = [index[pk] for kind, pk in hop.path]
                assert path[0] in start
                assert path[-1] == index[hop.id]
                assert len(path) == hop.depth + 1
                for a, b in zip(path, path[1:], strict=False):
                    assert (b, a) in dependency  # a is the child (upstream), b its parent
            raise Rollback
    except Rollback:
        pass


@pytest.fixture
def world_tenant(db):
    from tests import factories as f

    return f.root_tenant()
