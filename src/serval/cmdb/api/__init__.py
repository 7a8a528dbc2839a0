"""The CMDB REST API: classes, CIs, relationships, service links, history and impact.

A thin adapter (DESIGN.md rule 1): reads through `serval.cmdb.querysets` (out of reach → 404),
writes through `serval.cmdb.actions`, impact through `serval.cmdb.impact`. Lists use the shared
keyset pagination; every list filter is backed by an index on `CI`.

One module per concept, all adding to one router. They are imported in this order on purpose:
a fixed path such as `/cis/import` must be registered before `/cis/{id}` would match it.
"""

from __future__ import annotations

# isort: off
from serval.cmdb.api._router import router
from serval.cmdb.api import classes, cis, analysis, relationships, service_links

# isort: on

__all__ = ["analysis", "cis", "classes", "relationships", "router", "service_links"]
