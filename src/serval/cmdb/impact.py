"""Impact analysis in the database: a recursive query over dependency-type edges.

DOMAIN.md §2.7: from affected CIs, walk the edges whose type is a dependency towards the parents
(the parent depends on the child) until services are reached. *Upstream* answers "what is hit if
these CIs fail?" (CIs, then the services and offerings realized by them, then the services those
offerings belong to); *downstream* answers "what does this CI depend on?".

The walk is one `WITH RECURSIVE` statement, the same text on SQLite and PostgreSQL, with every
value a bound parameter. It never loads the graph: each step joins the frontier to the
relationship index. Rows are (ci, depth, via, severity) and the recursive term is a `UNION`,
which drops repeated rows, and the depth limit bounds it — so cycles terminate, and the work is
at most depth × reachable edges × severities (no enumeration of all paths). From the rows at
each CI's smallest depth the path back to a start CI is rebuilt: `via` at depth d is always a
CI first reached at d − 1.

Upstream, the impact rules of DOMAIN.md §2.7 apply (`rules=True`, the default):

- **Severity rolls up as the maximum of the children**: each start CI carries a severity
  (`severities`, else from its operational status: degraded → major, anything else → critical,
  since the question is "what if it fails"); a CI or service reached gets the highest severity
  of anything that reaches it within the depth limit.
- **Clusters** — CIs whose members reach them by "member of" edges (type `members`, cluster =
  parent) — are impacted only when at least `IMPACT_CLUSTER_THRESHOLD` % (seed 50) of their
  members are. The statement does not follow member edges; it returns, for each cluster next to
  an impacted member, its impacted members and its member count. A cluster over the threshold is
  then added as a start (at one step past its nearest impacted member, with the highest severity
  s that at least the threshold of its members have) and the statement runs again; this repeats
  until nothing changes, so there is one more statement per level of clusters that give way —
  usually none. A cluster reached by an ordinary dependency edge is impacted as any CI is.
- **CIs in maintenance are skipped**: impact neither starts at nor passes through a CI that
  `maintenance_ci_ids` names. After the walk, the CIs reached are checked; if any is in
  maintenance, the walk runs again with those excluded (a bound list), which can only shrink
  what it reaches — so at most twice. Members in maintenance still count as members of their
  cluster, never as impacted ones.

`rules=False` (and every downstream walk) is plain reachability along all dependency edges,
which is what the end-of-life report's "services at risk" and the refresh of stored impact use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.db import connection

from serval.cmdb.models import CI, CIRelationship, OperationalStatus, RelationshipType, ServiceCI

if TYPE_CHECKING:
    from serval.people.models import User
    from serval.services.models import Service

Direction = Literal["upstream", "downstream"]
DEFAULT_DEPTH = 5
MAX_DEPTH = 25
MAX_START = 100
MAX_ROUNDS = 32  # cluster levels that can give way one after another; far above real estates
CLUSTER_TYPE = "members"  # parent = the cluster, child = a member ("member of")

# Severities, as the event practice names them (DOMAIN.md §2.9), highest last.
WARNING, MINOR, MAJOR, CRITICAL = 1, 2, 3, 4
SEVERITY_NAMES = {WARNING: "warning", MINOR: "minor", MAJOR: "major", CRITICAL: "critical"}
SEVERITY_BY_NAME = {name: value for value, name in SEVERITY_NAMES.items()}
DEGRADED_STATUSES = (OperationalStatus.DEGRADED.value,)


# Other practices that put CIs in maintenance register here (change management: CIs under a
# change being implemented, DOMAIN.md §2.3); each takes CI ids and returns those in maintenance.
MAINTENANCE_SOURCES: list[Callable[[list[int]], set[int]]] = []


def maintenance_ci_ids(ci_ids: Iterable[int]) -> set[int]:
    """The CIs among `ci_ids` that are in maintenance: impact skips them (DOMAIN.md §2.7, §2.9).

    The one place that decides it: operational status "in maintenance", plus what the
    registered `MAINTENANCE_SOURCES` say (CIs of a change in Implement). Every impact walk
    (incident impacted services, the CI page, the API) follows.
    """
    ids = sorted(set(ci_ids))
    found: set[int] = set()
    for i in range(0, len(ids), 1000):
        found.update(
            CI.objects.filter(
                pk__in=ids[i : i + 1000], operational_status=OperationalStatus.IN_MAINTENANCE
            ).values_list("pk", flat=True)
        )
    rest = [pk for pk in ids if pk not in found]
    for source in MAINTENANCE_SOURCES:
        if rest:
            found |= source(rest)
            rest = [pk for pk in rest if pk not in found]
    return found


def cluster_threshold() -> int:
    """Percent of a cluster's members that must be impacted for the cluster to be."""
    return int(getattr(settings, "IMPACT_CLUSTER_THRESHOLD", 50))


def start_severity(operational_status: str) -> int:
    """The severity of a start CI given none: degraded → major; else critical ("if it fails")."""
    return MAJOR if operational_status in DEGRADED_STATUSES else CRITICAL


@dataclass(frozen=True)
class Hop:
    """A reached node: its depth, the chain of ("ci"|"service", id) that links it, and (upstream
    with rules) the severity it is hit with."""

    kind: str
    id: int
    depth: int
    path: tuple[tuple[str, int], ...]
    severity: int = 0

    @property
    def severity_name(self) -> str:
        return SEVERITY_NAMES.get(self.severity, "")


@dataclass(frozen=True)
class HeldCluster:
    """A cluster some of whose members are impacted, but fewer than the threshold."""

    id: int
    impacted: int
    members: int


@dataclass
class Impact:
    direction: Direction
    depth: int
    start: list[int]
    cis: list[Hop] = field(default_factory=list)
    services: list[Hop] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # in maintenance: neither hit nor passed
    held: list[HeldCluster] = field(default_factory=list)
    threshold: int | None = None  # the cluster threshold applied, when rules applied


def dependency_type_ids() -> list[int]:
    return list(RelationshipType.objects.filter(is_dependency=True).values_list("pk", flat=True))


# A seed of the walk: (ci id, depth, via, severity or None for "from the CI's status").
Seed = tuple[int, int, int | None, int | None]


def _sql(
    direction: Direction, n_seeds: int, n_excluded: int, *, services: bool, clusters: bool
) -> str:
    """The statement; only table and column names (never input) are put into the text."""
    rel = CIRelationship._meta.db_table
    rtype = RelationshipType._meta.db_table
    ci = CI._meta.db_table
    link = ServiceCI._meta.db_table
    here, there = (
        ("child_id", "parent_id") if direction == "upstream" else ("parent_id", "child_id")
    )
    row = "(CAST(%s AS BIGINT), CAST(%s AS INTEGER), CAST(%s AS BIGINT), CAST(%s AS INTEGER))"
    seeds = ", ".join([row] * n_seeds)
    degraded = ", ".join(["%s"] * len(DEGRADED_STATUSES))
    barrier = " AND t.name <> %s" if clusters else ""
    excluded = f" AND r.{there} NOT IN ({', '.join(['%s'] * n_excluded)})" if n_excluded else ""
    tail = ""
    if services:
        tail += (
            f" UNION ALL SELECT 'service', l.service_id, h.depth + 1, l.ci_id, h.sev"  # noqa: S608
            f" FROM hops h JOIN {link} l ON l.ci_id = h.ci_id"
        )
    if clusters:
        # Clusters next to an impacted member: each impacted member, and the member count.
        tail += (
            f" UNION ALL SELECT 'member', r.parent_id, h.depth, r.child_id, h.sev"  # noqa: S608
            f" FROM hops h JOIN {rel} r ON r.child_id = h.ci_id"
            f" JOIN {rtype} t ON t.id = r.type_id AND t.name = %s AND t.is_dependency = %s"
            f" UNION ALL SELECT 'size', r.parent_id, COUNT(*), NULL, NULL FROM {rel} r"
            f" JOIN {rtype} t ON t.id = r.type_id AND t.name = %s"
            f" WHERE r.parent_id IN (SELECT m.parent_id FROM hops h"
            f" JOIN {rel} m ON m.child_id = h.ci_id AND m.type_id = t.id)"
            f" GROUP BY r.parent_id"
        )
    return (
        f"WITH RECURSIVE seed(ci_id, depth, via, sev) AS (VALUES {seeds}),"  # noqa: S608
        f" walk(ci_id, depth, via, sev) AS ("
        f" SELECT s.ci_id, s.depth, s.via,"
        f" COALESCE(s.sev, CASE WHEN c.operational_status IN ({degraded}) THEN %s ELSE %s END)"
        f" FROM seed s JOIN {ci} c ON c.id = s.ci_id"
        f" UNION"
        f" SELECT r.{there}, w.depth + 1, w.ci_id, w.sev FROM walk w"
        f" JOIN {rel} r ON r.{here} = w.ci_id"
        # Dependency types are read in the same statement: no extra round trip per walk,
        # and an edited type table counts at once.
        f" JOIN {rtype} t ON t.id = r.type_id AND t.is_dependency = %s{barrier}"
        f" WHERE w.depth < %s{excluded}"
        f"), best AS (SELECT ci_id, MIN(depth) AS depth, MAX(sev) AS sev FROM walk"
        f" GROUP BY ci_id),"
        f" hops AS (SELECT w.ci_id, w.depth, MIN(w.via) AS via, MAX(b.sev) AS sev FROM walk w"
        f" JOIN best b ON b.ci_id = w.ci_id AND b.depth = w.depth GROUP BY w.ci_id, w.depth)"
        f" SELECT 'ci', ci_id, depth, via, sev FROM hops{tail}"
    )


def _run(
    seeds: list[Seed],
    *,
    direction: Direction,
    depth: int,
    excluded: set[int],
    services: bool,
    clusters: bool,
) -> list[tuple[str, int, int, int | None, int | None]]:
    sql = _sql(direction, len(seeds), len(excluded), services=services, clusters=clusters)
    params: list[Any] = [value for seed in seeds for value in seed]
    params += [*DEGRADED_STATUSES, MAJOR, CRITICAL, True]
    if clusters:
        params.append(CLUSTER_TYPE)
    params += [depth, *sorted(excluded)]
    if clusters:
        params += [CLUSTER_TYPE, True, CLUSTER_TYPE]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _clusters(
    rows: list[tuple[str, int, int, int | None, int | None]],
    *,
    depth: int,
    threshold: int,
    excluded: set[int],
) -> tuple[dict[int, Seed], list[HeldCluster]]:
    """Clusters over the threshold as seeds (depth, via, severity), and those held below it."""
    members: dict[int, list[tuple[int, int, int]]] = {}
    sizes: dict[int, int] = {}
    for kind, pk, d, other, sev in rows:
        if kind == "member":
            assert other is not None
            members.setdefault(pk, []).append((d, other, int(sev or 0)))
        elif kind == "size":
            sizes[pk] = d
    seeds: dict[int, Seed] = {}
    held: list[HeldCluster] = []
    for cluster, hit in members.items():
        if cluster in excluded:
            continue
        total = sizes.get(cluster, len(hit))
        if len(hit) * 100 < threshold * total:
            held.append(HeldCluster(cluster, len(hit), total))
            continue
        nearest = min(d for d, _m, _s in hit)
        if nearest + 1 > depth:
            continue
        via = min(m for d, m, _s in hit if d == nearest)
        severity = max(
            s
            for s in SEVERITY_NAMES
            if sum(1 for *_x, v in hit if v >= s) * 100 >= threshold * total
        )
        seeds[cluster] = (cluster, nearest + 1, via, severity)
    return seeds, held


def walk(
    start: list[int],
    *,
    direction: Direction = "upstream",
    depth: int = DEFAULT_DEPTH,
    severities: Mapping[int, int] | None = None,
    rules: bool = True,
) -> Impact:
    """Everything reachable from `start` within `depth` dependency edges, with paths.

    Upstream with `rules`, the impact rules of the module docstring apply (severity roll-up,
    cluster thresholds, CIs in maintenance skipped). No visibility here: callers pass CIs the
    user may see (`analyse` does), and relationships never cross tenants, so nothing reached
    lies outside the start CIs' tenant.
    """
    start = sorted(set(start))
    refine = rules and direction == "upstream"
    result = Impact(direction=direction, depth=depth, start=start)
    if refine:
        result.threshold = cluster_threshold()
    if not start or depth < 1:
        return result
    given = dict(severities or {})
    excluded: set[int] = set()
    rows: list[tuple[str, int, int, int | None, int | None]] = []
    held: list[HeldCluster] = []
    for _attempt in range(2 if refine else 1):
        base: list[Seed] = [(pk, 0, None, given.get(pk)) for pk in start if pk not in excluded]
        seeds: dict[int, Seed] = {}
        rows, held = [], []
        for _round in range(MAX_ROUNDS):
            if not base and not seeds:
                break
            merged: dict[int, Seed] = {s[0]: s for s in base}
            for pk, seed in seeds.items():
                if pk not in merged:  # a start CI is already at depth 0
                    merged[pk] = seed
            rows = _run(
                list(merged.values()),
                direction=direction,
                depth=depth,
                excluded=excluded,
                services=direction == "upstream",
                clusters=refine,
            )
            if not refine:
                break
            found, held = _clusters(
                rows, depth=depth, threshold=result.threshold or 50, excluded=excluded
            )
            if found == seeds:
                break
            seeds = found
        if not refine:
            break
        reached = set(start) | {pk for kind, pk, *_rest in rows if kind == "ci"}
        newly = maintenance_ci_ids(reached) - excluded
        if not newly:
            break
        excluded |= newly
    result.skipped = sorted(excluded)
    via: dict[int, int | None] = {}
    ci_depth: dict[int, int] = {}
    ci_severity: dict[int, int] = {}
    service_rows: list[tuple[int, int, int, int]] = []
    for kind, pk, d, prev, sev in rows:
        if kind == "ci":
            ci_depth[pk], via[pk], ci_severity[pk] = d, prev, int(sev or 0) if refine else 0
        elif kind == "service":
            assert prev is not None
            service_rows.append((pk, d, prev, int(sev or 0) if refine else 0))

    # Each CI's path is its `via`'s plus itself, built once: `via` is always one step nearer
    # a start CI, so this ends, and a walk reaching n CIs builds n paths, not n × depth.
    paths: dict[int, tuple[tuple[str, int], ...]] = {}

    def path_to(pk: int) -> tuple[tuple[str, int], ...]:
        path = paths.get(pk)
        if path is None:
            prev = via.get(pk)
            path = (("ci", pk),) if prev is None else (*path_to(prev), ("ci", pk))
            paths[pk] = path
        return path

    result.cis = sorted(
        (
            Hop("ci", pk, d, path_to(pk), ci_severity[pk])
            for pk, d in ci_depth.items()
            if d > 0 and pk not in start
        ),
        key=lambda h: (h.depth, h.id),
    )
    strongest: dict[int, int] = {}
    for pk, _d, _ci, sev in service_rows:
        strongest[pk] = max(strongest.get(pk, 0), sev)
    best: dict[int, Hop] = {}
    for pk, d, ci_pk, _sev in sorted(service_rows, key=lambda r: (r[1], r[2])):
        if pk not in best:
            path = (*path_to(ci_pk), ("service", pk))
            best[pk] = Hop("service", pk, d, path, strongest[pk])
    result.services = sorted(best.values(), key=lambda h: (h.depth, h.id))
    result.held = sorted(
        (h for h in held if h.id not in ci_depth), key=lambda h: (h.id, h.impacted)
    )
    return result


def roll_up_offerings(impact: Impact, services: dict[int, Service]) -> None:
    """An impacted offering impacts the service it belongs to (CSDM: service → offering)."""
    from serval.services.models import ServiceKind

    best = {h.id: h for h in impact.services}
    for hop in list(impact.services):
        service = services.get(hop.id)
        if service is None or service.kind != ServiceKind.OFFERING or not service.parent_id:
            continue
        parent = service.parent_id
        current = best.get(parent)
        severity = max(hop.severity, current.severity if current else 0)
        if current is None or current.depth > hop.depth + 1:
            best[parent] = Hop(
                "service", parent, hop.depth + 1, (*hop.path, ("service", parent)), severity
            )
        elif severity != current.severity:
            best[parent] = Hop("service", parent, current.depth, current.path, severity)
    impact.services = sorted(best.values(), key=lambda h: (h.depth, h.id))


def analyse(
    user: User,
    start: list[CI],
    *,
    direction: Direction = "upstream",
    depth: int = DEFAULT_DEPTH,
    severities: Mapping[int, int] | None = None,
) -> tuple[Impact, dict[int, CI], dict[int, Service]]:
    """Impact for a user: the walk, offerings rolled up, and only records they may see."""
    from serval.cmdb.querysets import cis_visible_to
    from serval.services.querysets import services_visible_to

    impact = walk(
        [c.pk for c in start],
        direction=direction,
        depth=min(depth, MAX_DEPTH),
        severities=severities,
    )
    ci_ids = {pk for hop in impact.cis for kind, pk in hop.path if kind == "ci"} | set(impact.start)
    ci_ids |= {h.id for h in impact.held} | set(impact.skipped)
    cis = {c.pk: c for c in cis_visible_to(user).filter(pk__in=ci_ids).select_related("ci_class")}
    services: dict[int, Service] = {}
    if impact.services:
        ids = {h.id for h in impact.services}
        visible = services_visible_to(user)
        services = {s.pk: s for s in visible.filter(pk__in=ids)}
        roll_up_offerings(impact, services)
        missing = {h.id for h in impact.services} - set(services)
        services.update({s.pk: s for s in visible.filter(pk__in=missing)})
    impact.cis = [h for h in impact.cis if all(pk in cis for k, pk in h.path)]
    impact.services = [
        h
        for h in impact.services
        if all((pk in cis) if k == "ci" else (pk in services) for k, pk in h.path)
    ]
    return impact, cis, services
