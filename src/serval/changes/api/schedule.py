"""Changes API: schedule (to be built)."""

from ninja import Router

router = Router(tags=["changes"])
