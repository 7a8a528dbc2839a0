"""The end-of-life horizon report: which installations lose support soon, and what they put at risk.

DOMAIN.md §2.8 (lifecycle dates per version) and §3.5 step 6 (an EOL-horizon risk: days to EOS or
EOL, counts of installations per horizon). An installation is *due* when the earlier of its
version's end of support and end of life falls on or before today + N days; it is *past* when that
date is already behind us. Counts are cumulative — "within 180 days" includes those within 90 — and
never include the past ones, which are counted apart.

The services at risk come from the CMDB's upstream impact analysis (`serval.cmdb.impact.walk`
without the failure rules — every service that depends on the version is at risk, whatever cluster
thresholds or maintenance would say about an outage), called once with every CI of the report as a
start: one recursive query, whatever the number of versions. To say which *version* puts which
service at risk, the dependency edges and service links among the CIs that walk reached are read
once more and walked per version in memory; that subgraph is the impacted part of the estate only,
never the whole graph. The whole report costs a constant number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serval.assets.models import Installation, SoftwareVersion
from serval.assets.querysets import installations_visible_to
from serval.cmdb import impact
from serval.cmdb.models import CIRelationship, ServiceCI
from serval.services.models import Criticality, ServiceKind
from serval.services.querysets import services_visible_to

if TYPE_CHECKING:
    from serval.people.models import User
    from serval.services.models import Service

HORIZONS = (90, 180, 365)
MAX_WITHIN = 3650
PHASES = {
    "past_end_of_life": _("Past end of life"),
    "past_end_of_support": _("Past end of support"),
    "end_of_support_due": _("End of support due"),
    "end_of_life_due": _("End of life due"),
}
_RANK = {value: n for n, value in enumerate(Criticality.values)}


def milestone(version: SoftwareVersion) -> date | None:
    """The earlier of end of support and end of life — when the version stops being safe."""
    dates = [d for d in (version.end_of_support, version.end_of_life) if d is not None]
    return min(dates) if dates else None


def phase(version: SoftwareVersion, today: date) -> str:
    eos, eol = version.end_of_support, version.end_of_life
    if eol is not None and eol < today:
        return "past_end_of_life"
    if eos is not None and eos < today:
        return "past_end_of_support"
    if eos is not None and (eol is None or eos <= eol):
        return "end_of_support_due"
    return "end_of_life_due"


def _days(value: date | None, today: date) -> int | None:
    return None if value is None else (value - today).days


@dataclass
class Group:
    """One product version in the report, with its installations and the services at risk."""

    version: SoftwareVersion
    phase: str
    days_to_end_of_support: int | None
    days_to_end_of_life: int | None
    installations: list[Installation] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)

    @property
    def phase_label(self) -> str:
        return str(PHASES[self.phase])


@dataclass
class Report:
    today: date
    within: int
    counts: dict[str, int]
    groups: list[Group]

    @property
    def installation_count(self) -> int:
        return sum(len(g.installations) for g in self.groups)


def _reached_by(starts: set[int], parents: dict[int, set[int]], depth: int) -> dict[int, int]:
    """CI → its distance from the nearest start, following child → parent up to `depth` edges."""
    seen = dict.fromkeys(starts, 0)
    frontier = set(starts)
    for d in range(1, depth + 1):
        frontier = {p for c in frontier for p in parents.get(c, ()) if p not in seen}
        if not frontier:
            break
        for p in frontier:
            seen[p] = d
    return seen


def services_at_risk(
    user: User, groups: dict[int, set[int]], *, depth: int = impact.DEFAULT_DEPTH
) -> dict[int, list[Service]]:
    """For each group of start CIs, the services (offerings rolled up) that depend on them."""
    every = set().union(*groups.values()) if groups else set()
    if not every:
        return {}
    # Risk, not failure: plain reachability (no cluster threshold, maintenance not skipped).
    walked = impact.walk(sorted(every), direction="upstream", depth=depth, rules=False)
    reached = every | {h.id for h in walked.cis}
    parents: dict[int, set[int]] = defaultdict(set)
    if walked.cis:
        edges = CIRelationship.objects.filter(
            child_id__in=reached, parent_id__in=reached, type__is_dependency=True
        ).values_list("child_id", "parent_id")
        for child, parent in edges:
            parents[child].add(parent)
    links: dict[int, set[int]] = defaultdict(set)
    for ci, service in ServiceCI.objects.filter(ci_id__in=reached).values_list(
        "ci_id", "service_id"
    ):
        links[ci].add(service)
    linked = set().union(*links.values()) if links else set()
    services: dict[int, Service] = {}
    if linked:
        visible = services_visible_to(user).filter(Q(pk__in=linked) | Q(offerings__in=linked))
        services = {s.pk: s for s in visible.distinct()}
    result: dict[int, list[Service]] = {}
    for key, starts in groups.items():
        hit: set[int] = set()
        for ci in _reached_by(starts, parents, depth):
            hit |= links.get(ci, set())
        for pk in list(hit):
            s = services.get(pk)
            if s is not None and s.kind == ServiceKind.OFFERING and s.parent_id:
                hit.add(s.parent_id)
        found = [services[pk] for pk in hit if pk in services]
        result[key] = sorted(found, key=lambda s: (_RANK.get(s.criticality, 9), s.name, s.pk))
    return result


def report(
    user: User,
    *,
    within: int = 90,
    today: date | None = None,
    depth: int = impact.DEFAULT_DEPTH,
) -> Report:
    """Installations due within `within` days (and those already past), grouped by version."""
    today = today or timezone.localdate()
    within = max(0, min(within, MAX_WITHIN))
    horizon = today + timedelta(days=max(within, *HORIZONS))
    rows = list(
        installations_visible_to(user)
        .filter(
            Q(software_version__end_of_support__lte=horizon)
            | Q(software_version__end_of_life__lte=horizon)
        )
        .select_related("ci", "software_version__product")
        .order_by("software_version_id", "ci__name", "pk")
    )
    counts = {"past": 0, **{str(h): 0 for h in HORIZONS}}
    limit = today + timedelta(days=within)
    groups: dict[int, Group] = {}
    for inst in rows:
        version = inst.software_version
        when = milestone(version)
        assert when is not None  # the filter above guarantees one of the dates
        if when < today:
            counts["past"] += 1
        else:
            for h in HORIZONS:
                if when <= today + timedelta(days=h):
                    counts[str(h)] += 1
        if when > limit:
            continue
        group = groups.get(version.pk)
        if group is None:
            group = groups[version.pk] = Group(
                version=version,
                phase=phase(version, today),
                days_to_end_of_support=_days(version.end_of_support, today),
                days_to_end_of_life=_days(version.end_of_life, today),
            )
        group.installations.append(inst)
    at_risk = services_at_risk(
        user, {pk: {i.ci_id for i in g.installations} for pk, g in groups.items()}, depth=depth
    )
    for pk, group in groups.items():
        group.services = at_risk.get(pk, [])
    ordered = sorted(
        groups.values(),
        key=lambda g: (
            milestone(g.version) or today,
            g.version.product.vendor,
            g.version.product.name,
            g.version.version,
        ),
    )
    return Report(today=today, within=within, counts=counts, groups=ordered)


CSV_HEADER = (
    "vendor",
    "product",
    "version",
    "end_of_support",
    "end_of_extended_support",
    "end_of_life",
    "phase",
    "days_to_end_of_support",
    "days_to_end_of_life",
    "ci",
    "ci_hostname",
    "services_at_risk",
)


def csv_rows(result: Report) -> list[list[object]]:
    """One row per installation, the version's dates and services repeated on each."""
    out: list[list[object]] = []
    for g in result.groups:
        v = g.version
        services = "; ".join(s.name for s in g.services)
        for inst in g.installations:
            out.append(
                [
                    v.product.vendor,
                    v.product.name,
                    v.version,
                    v.end_of_support,
                    v.end_of_extended_support,
                    v.end_of_life,
                    g.phase,
                    g.days_to_end_of_support,
                    g.days_to_end_of_life,
                    inst.ci.name,
                    inst.ci.hostname,
                    services,
                ]
            )
    return out
