"""The changes API at /api/v1/changes, one router per concept.

Routers with literal paths (calendar, windows, templates, risk questions, reports) are added
before the core router, whose `/{number}` would otherwise take "calendar" for a number. The
collection itself (create, list) sits on this router: a child mounted at "" would answer at
/api/v1/changes/ only. The approvals app contributes `/{number}/approvals` and
`/{number}/approvals/{id}/decide` (`serval.approvals.api.decisions.changes_router`).
"""

from ninja import Router

from serval.approvals.api import changes_router as approvals_router
from serval.changes.api.core import mount_collection
from serval.changes.api.core import router as core_router
from serval.changes.api.review import router as review_router
from serval.changes.api.risk import router as risk_router
from serval.changes.api.schedule import router as schedule_router
from serval.changes.api.templates import router as templates_router

router = Router(tags=["changes"])
mount_collection(router)  # POST/GET /api/v1/changes, without a trailing slash
router.add_router("", schedule_router)
router.add_router("", risk_router)
router.add_router("", review_router)
router.add_router("", templates_router)
router.add_router("", approvals_router)
router.add_router("", core_router)
