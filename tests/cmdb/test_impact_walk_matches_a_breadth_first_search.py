"""DOMAIN.md §2.7 impact propagation, checked against a plain Python BFS (DESIGN.md §6).

Random small graphs — self-contained cycles, diamonds, parallel edges of several types, CIs in
maintenance and clusters — are written to the database; the recursive query must reach exactly
the CIs the Python reference reaches within the depth limit, at the same (shortest) depth and
with the same severity, and each returned path must be a real chain of edges from a start CI of
exactly that length. The reference is written from the rules, independently of the query:

- plain (downstream, or `rules=False`): a BFS over dependency edges;
- upstream with the rules: CIs in maintenance are removed from the graph; member edges are not
  followed, but a cluster whose impacted members reach the threshold becomes a further source,
  one step past its nearest impacted member, until nothing changes; a CI's severity is the
  highest of the sources that reach it within the depth limit, and a cluster's the highest s
  that at least the threshold of its members are hit with.
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

TYPES = ["depends_on", "runs_on", "connects_to", "contains", "manages", "members", "members"]
STATUSES = ["operational", "operational", "operational", "degraded", "in_maintenance"]


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


def distances(adjacency, sources, depth, blocked):
    """Shortest distance within `depth` from sources {node: offset}, never entering `blocked`."""
    seen: dict[int, int] = {}
    for offset in sorted(set(sources.values())):
        queue = deque((node, d) for node, d in sources.items() if d == offset)
        while queue:
            node, d = queue.popleft()
            if node in seen and seen[node] <= d:
                continue
            seen[node] = d
            if d == depth:
                continue
            for nxt in adjacency.get(node, []):
                if nxt not in blocked and (nxt not in seen or seen[nxt] > d + 1):
                    queue.append((nxt, d + 1))
    return seen


def reference(edges, start, depth, statuses, severities, threshold):
    """Upstream impact with the rules: {node: (depth, severity)} for every node hit."""
    normal: dict[int, list[int]] = {}
    members: dict[int, set[int]] = {}
    for parent, kind, child in edges:
        if kind == "members":
            members.setdefault(parent, set()).add(child)
        elif kind_is_dependency(kind):
            normal.setdefault(child, []).append(parent)
    blocked = {i for i, status in enumerate(statuses) if status == "in_maintenance"}

    def start_severity(node):
        if node in severities:
            return severities[node]
        return 3 if statuses[node] == "degraded" else 4

    sources = {s: (0, start_severity(s)) for s in start if s not in blocked}
    while True:
        dist = distances(normal, {n: d for n, (d, _) in sources.items()}, depth, blocked)
        severity = {}
        for node, (offset, sev) in sources.items():
            for reached in distances(normal, {node: offset}, depth, blocked):
                severity[reached] = max(severity.get(reached, 0), sev)
        following = {s: sources[s] for s in start if s in sources}
        for cluster, ms in members.items():
            if cluster in blocked or cluster in following:
                continue
            hit = [m for m in ms if m in dist]
            if not hit or len(hit) * 100 < threshold * len(ms):
                continue
            nearest = min(dist[m] for m in hit) + 1
            if nearest > depth:
                continue
            sev = max(
                s
                for s in (1, 2, 3, 4)
                if sum(severity[m] >= s for m in hit) * 100 >= threshold * len(ms)
            )
            following[cluster] = (nearest, sev)
        if following == sources:
            return {node: (d, severity[node]) for node, d in dist.items()}
        sources = following


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
        st.lists(st.sampled_from(STATUSES), min_size=n, max_size=n),
        st.dictionaries(st.integers(0, n - 1), st.integers(1, 4), max_size=2),
        st.sampled_from([50, 34, 100]),
    )
)


@pytest.mark.django_db
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(graph=graphs)
def test_recursive_query_agrees_with_bfs(world_tenant, graph, settings):
    n, edges, start, depth, upstream, statuses, severities, threshold = graph
    settings.IMPACT_CLUSTER_THRESHOLD = threshold
    _DEPENDENCY.update(RelationshipType.objects.values_list("name", "is_dependency"))
    try:
        with transaction.atomic():
            server = cls("server")
            nodes = [
                CI.objects.create(
                    tenant=world_tenant, name=f"n{i}", ci_class=server, operational_status=status
                )
                for i, status in enumerate(statuses)
            ]
            types = {t.name: t for t in RelationshipType.objects.all()}
            # Bypass the one-parent rule on purpose: the walk must cope with any stored graph.
            CIRelationship.objects.bulk_create(
                CIRelationship(tenant=world_tenant, parent=nodes[p], child=nodes[c], type=types[k])
                for p, k, c in edges
            )
            ids = [node.pk for node in nodes]
            index = {pk: i for i, pk in enumerate(ids)}
            for rules in (False, True):
                result = impact.walk(
                    [ids[s] for s in start],
                    direction="upstream" if upstream else "downstream",
                    depth=depth,
                    rules=rules,
                    severities={ids[k]: v for k, v in severities.items()},
                )
                refined = rules and upstream
                if refined:
                    expected = reference(edges, start, depth, statuses, severities, threshold)
                    got = {index[h.id]: (h.depth, h.severity) for h in result.cis}
                    assert got == {k: v for k, v in expected.items() if k not in start}
                else:
                    expected_plain = bfs(edges, start, depth, upstream)
                    got_plain = {index[h.id]: h.depth for h in result.cis}
                    assert got_plain == {k: v for k, v in expected_plain.items() if v > 0}
                steps = {
                    (p, c) if upstream else (c, p)
                    for p, k, c in edges
                    if kind_is_dependency(k) and not (refined and k == "members")
                }
                if refined:
                    steps |= {(p, c) for p, k, c in edges if k == "members"}
                for hop in result.cis:
                    path = [index[pk] for kind, pk in hop.path]
                    assert path[0] in start
                    assert path[-1] == index[hop.id]
                    assert len(path) == hop.depth + 1
                    for a, b in zip(path, path[1:], strict=False):
                        assert (b, a) in steps  # a is the child (upstream), b its parent
            raise Rollback
    except Rollback:
        pass


@pytest.fixture
def world_tenant(db):
    from tests import factories as f

    return f.root_tenant()
