"""The asset API's one router; each module of this package adds its operations to it."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["assets"])
