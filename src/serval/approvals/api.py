"""Approvals API at /api/v1/approvals (to be built)."""

from ninja import Router

router = Router(tags=["approvals"])
