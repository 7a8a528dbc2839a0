"""Changes API: review (to be built)."""

from ninja import Router

router = Router(tags=["changes"])
