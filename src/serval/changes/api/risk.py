"""Changes API: risk (to be built)."""

from ninja import Router

router = Router(tags=["changes"])
