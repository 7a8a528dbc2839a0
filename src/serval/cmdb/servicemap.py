"""The service map: a CI's neighbourhood laid out in rows, for a server-rendered SVG.

Rows top to bottom: the services realized by the CI or by what depends on it, the CIs that
depend on it (parents), the CI itself, and what it depends on (children). A CI's node carries
its asset tag, and its tooltip the operational status, the asset (status, warranty) and the
installed software with its end-of-support phase; a node whose software is past or within 90
days of its end of support is outlined orange (`serval.assets.on_ci`). Every node links to its
own page, so the map is navigated by clicking; no script runs (CSP), and only presentation
attributes colour it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse

from serval.cmdb.models import CI, CIRelationship, ServiceCI

if TYPE_CHECKING:
    from serval.assets.on_ci import OnCI
from serval.cmdb.querysets import ci_visible_q
from serval.people.models import User
from serval.services.models import Service
from serval.services.querysets import service_visible_q

WIDTH = 960
ROW = 110
NODE_W = 140
NODE_H = 40
PER_ROW = 6


@dataclass
class Node:
    key: str
    label: str
    sublabel: str
    url: str
    x: int = 0
    y: int = 0
    fill: str = "#ffffff"
    stroke: str = "#667382"
    title: str = ""  # the tooltip: status, asset, software reaching end of support


@dataclass
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int
    label: str
    dashed: bool


@dataclass
class ServiceMap:
    nodes: list[Node]
    edges: list[Edge]
    width: int
    height: int
    hidden: int
    known: dict[int, OnCI]  # asset and software of the CIs drawn, for the page to reuse


def _ci_node(ci: CI, known: dict[int, OnCI]) -> Node:
    url = reverse("cmdb-ci-detail", args=[ci.pk])
    stroke = "#d63939" if ci.operational_status in ("non_operational", "degraded") else "#667382"
    info = known.get(ci.pk)
    sublabel = ci.ci_class.label
    lines = [f"{ci.name} — {ci.get_operational_status_display()}"]
    if info is not None:
        if info.asset is not None and info.asset.asset_tag:
            sublabel = f"{sublabel} · {info.asset.asset_tag}"
        if info.at_risk and stroke == "#667382":
            stroke = "#f76707"  # software at or near its end of support: orange
        lines.append(info.summary())
    node = Node(f"ci:{ci.pk}", ci.name[:22], sublabel[:24], url, stroke=stroke)
    node.title = "\n".join(line for line in lines if line)
    return node


def build(user: User, ci: CI) -> ServiceMap:
    """The laid-out neighbourhood of one CI, as far as the user may see it."""
    # The other ends through a join on their tenant: `child__in=cis_visible_to(user)` had
    # SQLite list every CI in reach (a million at benchmark scale) for each query.
    down, up = ci_visible_q(user, "child"), ci_visible_q(user, "parent")
    rels: list[CIRelationship] = []
    if down is not None and up is not None:  # the same rule on either end: both or neither
        children_of = CIRelationship.objects.filter(down, parent=ci)
        parents_of = CIRelationship.objects.filter(up, child=ci)
        rels += children_of.select_related("type", "child__ci_class")[: PER_ROW * 4]
        rels += parents_of.select_related("type", "parent__ci_class")[: PER_ROW * 4]
    parents: dict[int, CI] = {}
    children: dict[int, CI] = {}
    for rel in rels:
        if rel.parent_id == ci.pk:
            children.setdefault(rel.child_id, rel.child)
        else:
            parents.setdefault(rel.parent_id, rel.parent)
    seen = service_visible_q(user, "service")
    links = (
        []
        if seen is None
        else ServiceCI.objects.filter(seen, ci_id__in=[ci.pk, *parents]).select_related("service")[
            : PER_ROW * 4
        ]
    )
    services: dict[int, Service] = {}
    for link in links:
        services.setdefault(link.service_id, link.service)
    from serval.assets.on_ci import for_cis

    known = for_cis(user, [ci.pk, *parents, *children])
    rows: list[list[Node]] = []
    hidden = 0
    service_nodes = [
        Node(
            f"service:{s.pk}",
            s.name[:22],
            s.get_kind_display(),
            reverse("services-detail", args=[s.pk]),
            fill="#e6f0fb",
            stroke="#206bc4",
            title=f"{s.name} — {s.get_kind_display()}, {s.get_criticality_display()}",
        )
        for s in services.values()
    ]
    center = _ci_node(ci, known)
    center.fill = "#fff4d6"
    for group in (
        service_nodes,
        [_ci_node(p, known) for p in parents.values()],
        [center],
        [_ci_node(c, known) for c in children.values()],
    ):
        if group:
            hidden += max(0, len(group) - PER_ROW)
            rows.append(group[:PER_ROW])
    by_key: dict[str, Node] = {}
    for r, row in enumerate(rows):
        step = WIDTH // (len(row) + 1)
        for i, node in enumerate(row):
            node.x, node.y = step * (i + 1) - NODE_W // 2, 20 + r * ROW
            by_key[node.key] = node
    edges: list[Edge] = []

    def connect(upper: str, lower: str, label: str, dashed: bool) -> None:
        a, b = by_key.get(upper), by_key.get(lower)
        if a and b:
            edges.append(
                Edge(
                    a.x + NODE_W // 2,
                    a.y + NODE_H,
                    b.x + NODE_W // 2,
                    b.y,
                    label,
                    dashed,
                )
            )

    for rel in rels:
        connect(
            f"ci:{rel.parent_id}", f"ci:{rel.child_id}", rel.type.label, not rel.type.is_dependency
        )
    for link in links:
        connect(f"service:{link.service_id}", f"ci:{link.ci_id}", "Realized by", False)
    return ServiceMap(list(by_key.values()), edges, WIDTH, 40 + len(rows) * ROW, hidden, known)
