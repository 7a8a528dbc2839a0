"""Changes API: core (to be built)."""

from ninja import Router

router = Router(tags=["changes"])
