"""Scenario 5: upstream impact analysis, timed in-process, next to an in-memory BFS (issue 6).

Run with the environment of the database that `serval bench-data --cis N` filled (DATABASE_URL,
SERVAL_DATA_DIR); prints one JSON object.

    .venv/bin/python benchmarks/impact_bench.py [--starts 200] [--depth 6]

Start CIs are random infrastructure CIs (servers, clusters, storage, network gear: the leaves an
outage begins at). For each, `serval.cmdb.impact.walk(direction="upstream")` — the recursive query
the API's `GET /api/v1/cmdb/cis/{id}/impact` runs, including the rebuild of every path and the
services reached — is timed in this process (no HTTP, no JSON rendering, no visibility filter: the
database part that grows with the graph). The peer is networkx's breadth-first search (`bfs_edges`,
same depth limit, then the services of the reached CIs) over the same dependency edges loaded from
the database into memory once (load time reported apart). The reached sets are compared, so the two
answer the same question — which is why the walk runs with `rules=False` (plain reachability: no
cluster thresholds, no maintenance check; the rules add one small query, and a statement per level
of clusters that give way). networkx is installed into the venv here when missing; it is a benchmark
tool, not a dependency of Serval.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serval.settings")

INFRASTRUCTURE = ("server", "storage", "network_gear")


def ensure_networkx() -> None:
    if importlib.util.find_spec("networkx") is None:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "networkx"], check=True, timeout=600
        )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values_ms, 50), 3),
        "p95": round(percentile(values_ms, 95), 3),
        "p99": round(percentile(values_ms, 99), 3),
        "mean": round(statistics.fmean(values_ms), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--starts", type=int, default=200, help="start CIs (one walk each)")
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    ensure_networkx()
    import django

    django.setup()
    import networkx as nx
    from django.db import connection

    from serval.cmdb.impact import dependency_type_ids, walk
    from serval.cmdb.models import CI, CIClass, CIRelationship, ServiceCI

    rng = random.Random(args.seed)
    classes = list(
        CIClass.objects.filter(tenant__isnull=True, name__in=INFRASTRUCTURE).values_list(
            "pk", flat=True
        )
    )
    infra = list(CI.objects.filter(ci_class__in=classes).values_list("pk", flat=True))
    total_cis = CI.objects.count()
    if not infra:
        raise SystemExit("no infrastructure CIs: run `serval bench-data --cis N` first")
    starts = rng.sample(infra, min(args.starts, len(infra)))

    # The peer's graph: child → parent over dependency edges (impact travels that way).
    began = time.perf_counter()
    types = dependency_type_ids()
    graph: Any = nx.DiGraph()
    with connection.cursor() as cur:
        marks = ", ".join(["%s"] * len(types))
        cur.execute(
            f"SELECT child_id, parent_id FROM {CIRelationship._meta.db_table}"  # noqa: S608
            f" WHERE type_id IN ({marks})",
            types,
        )
        while batch := cur.fetchmany(100_000):
            graph.add_edges_from(batch)
    services_of: dict[int, list[int]] = {}
    for service_id, ci_id in ServiceCI.objects.values_list("service_id", "ci_id").iterator():
        services_of.setdefault(ci_id, []).append(service_id)
    load_seconds = time.perf_counter() - began
    edges = graph.number_of_edges()

    def bfs(start: int) -> tuple[set[int], set[int]]:
        reached: set[int] = set()
        if start in graph:
            reached = {v for _u, v in nx.bfs_edges(graph, start, depth_limit=args.depth)}
        found: set[int] = set()
        for ci in (start, *reached):
            found.update(services_of.get(ci, ()))
        return reached, found

    for start in starts[:5]:  # warm caches and the statement on both sides
        walk([start], direction="upstream", depth=args.depth, rules=False)
        bfs(start)
    db_ms: list[float] = []
    mem_ms: list[float] = []
    reached_cis: list[int] = []
    reached_services: list[int] = []
    mismatches = 0
    for start in starts:
        t0 = time.perf_counter()
        impact = walk([start], direction="upstream", depth=args.depth, rules=False)
        db_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        reached, found = bfs(start)
        mem_ms.append((time.perf_counter() - t0) * 1000)
        cis = {h.id for h in impact.cis}
        services = {h.id for h in impact.services}
        if cis != reached or services != found:
            mismatches += 1
        reached_cis.append(len(cis))
        reached_services.append(len(services))
    db, mem = summary(db_ms), summary(mem_ms)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "cis": total_cis,
                "dependency_edges": edges,
                "relationships": CIRelationship.objects.count(),
                "starts": len(starts),
                "depth": args.depth,
                "timing": "in-process serval.cmdb.impact.walk (no HTTP)",
                "db_ms": db,
                "bfs_ms": mem,
                "ratio_p50": round(db["p50"] / mem["p50"], 2) if mem["p50"] else None,
                "ratio_mean": round(db["mean"] / mem["mean"], 2) if mem["mean"] else None,
                "graph_load_seconds": round(load_seconds, 2),
                "reached_cis": {
                    "median": statistics.median(reached_cis),
                    "max": max(reached_cis),
                },
                "reached_services": {
                    "median": statistics.median(reached_services),
                    "min": min(reached_services),
                },
                "starts_reaching_a_service": sum(1 for n in reached_services if n),
                "mismatches": mismatches,
            }
        )
    )


if __name__ == "__main__":
    main()
