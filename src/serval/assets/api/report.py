"""The end-of-life horizon report."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query

from serval.api.auth import actor
from serval.api.schemas import problems
from serval.assets import eol
from serval.assets import schemas as s
from serval.assets.api._router import router
from serval.assets.api.common import (
    product_ref,
    ref,
    version_out,
)


@router.get("/eol", response={200: s.EolOut, **problems()})
def eol_report(request: HttpRequest, params: Query[s.EolParams]) -> dict[str, Any]:
    """Installations reaching end of support or end of life within `within` days (and those
    already past), grouped by product version, with the services they put at risk through the
    CMDB's dependency edges. Counts per horizon (90 / 180 / 365, cumulative) and past."""
    result = eol.report(actor(request), within=params.within, depth=params.depth)
    counts = result.counts
    return {
        "today": result.today,
        "within": result.within,
        "counts": {
            "past": counts["past"],
            "within_90": counts["90"],
            "within_180": counts["180"],
            "within_365": counts["365"],
        },
        "groups": [
            {
                "product": product_ref(g.version.product),
                "version": version_out(g.version),
                "phase": g.phase,
                "days_to_end_of_support": g.days_to_end_of_support,
                "days_to_end_of_life": g.days_to_end_of_life,
                "installations": [{"id": i.pk, "ci": ref(i.ci)} for i in g.installations],
                "services_at_risk": [
                    {"id": x.pk, "name": x.name, "kind": x.kind, "criticality": x.criticality}
                    for x in g.services
                ],
            }
            for g in result.groups
        ],
    }
