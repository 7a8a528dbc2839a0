"""Impact analysis in the database: a recursive query over dependency-type edges.

DOMAIN.md §2.7: from affected CIs, walk the edges whose type is a dependency towards the parents
(the parent depends on the child) until services are reached. *Upstream* answers "what is hit if
these CIs fail?" (CIs, then the services and offerings realized by them, then the services those
offerings belong to); *downstream* answers "what does this CI depend on?".

The walk is one `WITH RECURSIVE` statement, the same text on SQLite and PostgreSQL, with every
value a bound parameter. It never loads the graph: each step joins the frontier to the
relationship index. Rows are (ci, depth, via) and the recursive term is a `UNION`, which drops
repeated rows, and the depth limit bounds it — so cycles terminate, and the work is at most
depth × reachable edges (no enumeration of all paths). From the rows at each CI's smallest depth
the path back to a start CI is rebuilt: `via` at depth d is always a CI first reached at d − 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.db import connection

from serval.cmdb.models import CI, CIRelationship, RelationshipType, ServiceCI

if TYPE_CHECKING:
    from serval.people.models import User
    from serval.services.models import Service

Direction = Literal["upstream", "downstream"]
DEFAULT_DEPTH = 5
MAX_DEPTH = 25
MAX_START = 100


@dataclass(frozen=True)
class Hop:
    """A reached node: its depth and the chain of ("ci"|"service", id) that links it."""

    kind: str
    id: int
    depth: int
    path: tuple[tuple[str, int], ...]


@dataclass
class Impact:
    direction: Direction
    depth: int
    start: list[int]
    cis: list[Hop] = field(default_factory=list)
    services: list[Hop] = field(default_factory=list)


def dependency_type_ids() -> list[int]:
    return list(RelationshipType.objects.filter(is_dependency=True).values_list("pk", flat=True))


def _sql(direction: Direction, n_start: int, with_services: bool) -> str:
    """The statement; only table and column names (never input) are put into the text."""
    rel = CIRelationship._meta.db_table
    rtype = RelationshipType._meta.db_table
    ci = CI._meta.db_table
    link = ServiceCI._meta.db_table
    here, there = (
        ("child_id", "parent_id") if direction == "upstream" else ("parent_id", "child_id")
    )
    starts = ", ".join(["%s"] * n_start)
    services = (
        f" UNION ALL SELECT 'service', l.service_id, h.depth + 1, l.ci_id"  # noqa: S608 (model metadata)
        f" FROM hops h JOIN {link} l ON l.ci_id = h.ci_id"
        if with_services
        else ""
    )
    return (
        f"WITH RECURSIVE walk(ci_id, depth, via) AS ("  # noqa: S608 (only model metadata)
        f" SELECT id, 0, CAST(NULL AS BIGINT) FROM {ci} WHERE id IN ({starts})"
        f" UNION"
        f" SELECT r.{there}, w.depth + 1, w.ci_id FROM walk w"
        f" JOIN {rel} r ON r.{here} = w.ci_id"
        # Dependency types are read in the same statement: no extra round trip per walk,
        # and an edited type table counts at once.
        f" JOIN {rtype} t ON t.id = r.type_id AND t.is_dependency = %s"
        f" WHERE w.depth < %s"
        f"), best AS (SELECT ci_id, MIN(depth) AS depth FROM walk GROUP BY ci_id),"
        f" hops AS (SELECT w.ci_id, w.depth, MIN(w.via) AS via FROM walk w"
        f" JOIN best b ON b.ci_id = w.ci_id AND b.depth = w.depth GROUP BY w.ci_id, w.depth)"
        f" SELECT 'ci', ci_id, depth, via FROM hops{services}"
    )


def walk(
    start: list[int], *, direction: Direction = "upstream", depth: int = DEFAULT_DEPTH
) -> Impact:
    """Everything reachable from `start` within `depth` dependency edges, with paths.

    No visibility here: callers pass CIs the user may see (`analyse` does), and relationships
    never cross tenants, so nothing reached lies outside the start CIs' tenant.
    """
    start = sorted(set(start))
    result = Impact(direction=direction, depth=depth, start=start)
    if not start or depth < 1:
        return result
    sql = _sql(direction, len(start), direction == "upstream")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*start, True, depth])
        rows = cursor.fetchall()
    via: dict[int, int | None] = {}
    ci_depth: dict[int, int] = {}
    service_rows: list[tuple[int, int, int]] = []
    for kind, pk, d, prev in rows:
        if kind == "ci":
            ci_depth[pk], via[pk] = d, prev
        else:
            service_rows.append((pk, d, prev))

    def path_to(pk: int) -> tuple[tuple[str, int], ...]:
        chain = [pk]
        while (prev := via.get(chain[-1])) is not None:
            chain.append(prev)
        return tuple(("ci", p) for p in reversed(chain))

    result.cis = sorted(
        (Hop("ci", pk, d, path_to(pk)) for pk, d in ci_depth.items() if d > 0),
        key=lambda h: (h.depth, h.id),
    )
    best: dict[int, Hop] = {}
    for pk, d, ci_pk in sorted(service_rows, key=lambda r: (r[1], r[2])):
        if pk not in best:
            best[pk] = Hop("service", pk, d, (*path_to(ci_pk), ("service", pk)))
    result.services = sorted(best.values(), key=lambda h: (h.depth, h.id))
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
        if parent not in best or best[parent].depth > hop.depth + 1:
            best[parent] = Hop("service", parent, hop.depth + 1, (*hop.path, ("service", parent)))
    impact.services = sorted(best.values(), key=lambda h: (h.depth, h.id))


def analyse(
    user: User, start: list[CI], *, direction: Direction = "upstream", depth: int = DEFAULT_DEPTH
) -> tuple[Impact, dict[int, CI], dict[int, Service]]:
    """Impact for a user: the walk, offerings rolled up, and only records they may see."""
    from serval.cmdb.querysets import cis_visible_to
    from serval.services.querysets import services_visible_to

    impact = walk([c.pk for c in start], direction=direction, depth=min(depth, MAX_DEPTH))
    ci_ids = {pk for hop in impact.cis for kind, pk in hop.path if kind == "ci"} | set(impact.start)
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
