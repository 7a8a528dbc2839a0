"""Impact analysis: upstream (what a failure hits) and downstream (what a CI depends on)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query

from serval.api.auth import actor
from serval.api.errors import reference
from serval.api.schemas import Id, problems
from serval.cmdb import impact
from serval.cmdb.api._router import router
from serval.cmdb.api.schemas import (
    ImpactIn,
    ImpactOut,
    ImpactParams,
)
from serval.cmdb.models import (
    CI,
)
from serval.cmdb.querysets import (
    access_ci,
)
from serval.people.models import User


def impact_out(
    user: User, start: list[CI], direction: Any, depth: int, severity: str | None = None
) -> dict[str, Any]:
    severities = None
    if severity is not None:
        severities = {c.pk: impact.SEVERITY_BY_NAME[severity] for c in start}
    result, cis, services = impact.analyse(
        user, start, direction=direction, depth=depth, severities=severities
    )

    def node(kind: str, pk: int) -> dict[str, Any]:
        obj: Any = cis[pk] if kind == "ci" else services[pk]
        return {"kind": kind, "id": pk, "name": obj.name}

    return {
        "direction": result.direction,
        "depth": result.depth,
        "start": [{"id": c.pk, "name": c.name} for c in start],
        "cis": [
            {
                "id": h.id,
                "name": cis[h.id].name,
                "ci_class": cis[h.id].ci_class.name,
                "operational_status": cis[h.id].operational_status,
                "depth": h.depth,
                "severity": h.severity_name or None,
                "path": [node(k, pk) for k, pk in h.path],
            }
            for h in result.cis
        ],
        "services": [
            {
                "id": h.id,
                "name": services[h.id].name,
                "kind": services[h.id].kind,
                "criticality": services[h.id].criticality,
                "depth": h.depth,
                "severity": h.severity_name or None,
                "path": [node(k, pk) for k, pk in h.path],
            }
            for h in result.services
        ],
        "cluster_threshold": result.threshold,
        "held_clusters": [
            {
                "id": h.id,
                "name": cis[h.id].name,
                "impacted_members": h.impacted,
                "members": h.members,
            }
            for h in result.held
            if h.id in cis
        ],
        "skipped_in_maintenance": [
            {"id": pk, "name": cis[pk].name} for pk in result.skipped if pk in cis
        ],
    }


@router.get("/cis/{id}/impact", response={200: ImpactOut, **problems(404)})
def ci_impact(request: HttpRequest, id: Id, params: Query[ImpactParams]) -> dict[str, Any]:
    """Upstream: the CIs and services hit if this CI fails; downstream: what it depends on.

    Each result carries its depth and the path (start CI first) that links it; only
    dependency-type relationships are followed, cycles are safe, depth is limited. Upstream,
    severity rolls up as the maximum of the children, a cluster is hit only when at least
    `cluster_threshold` % of its members are, and CIs in maintenance are skipped.
    """
    user = actor(request)
    ci = access_ci(user, id)
    return impact_out(user, [ci], params.direction, params.depth, params.severity)


@router.post("/impact", response={200: ImpactOut, **problems(404)})
def multi_impact(request: HttpRequest, payload: ImpactIn) -> dict[str, Any]:
    """Impact of several CIs at once (e.g. every CI an incident names)."""
    user = actor(request)
    with reference("cis", _("Unknown CI.")):
        start = [access_ci(user, pk) for pk in sorted(set(payload.cis))]
    return impact_out(user, start, payload.direction, payload.depth, payload.severity)
