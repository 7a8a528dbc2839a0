"""The IT asset REST API at /api/v1/assets: assets, software, licences, contracts, EOL report.

A thin adapter (DESIGN.md rule 1): reads through `serval.assets.querysets` (out of reach → 404),
writes through `serval.assets.actions` and `serval.assets.software`. Lists use the shared keyset
pagination, each filter backed by an index. Linked records given by id are looked up among those
the caller may see — an unknown or unreachable one is a field error, never a leak — and the
actions then refuse any that belong to another tenant than the record.

One module per concept, all adding to one router, imported in this order on purpose: the
assets' own `/{id}` paths come last so they never shadow `/eol`, `/products`, `/import`, ….
"""

from __future__ import annotations

# isort: off
from serval.assets.api._router import router
from serval.assets.api import (
    report,
    catalogue,
    installations,
    licences,
    contracts,
    transfer,
    assets,
)

# isort: on

__all__ = [
    "assets",
    "catalogue",
    "contracts",
    "installations",
    "licences",
    "report",
    "router",
    "transfer",
]
