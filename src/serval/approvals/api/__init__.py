"""The approvals API at /api/v1/approvals (and /api/v1/changes/{number}/approvals).

Reads go through the visibility helpers (`approvals.querysets`, `changes.querysets`,
`approvals.policies`, `approvals.boards`, `approvals.delegation`), writes through the actions;
out of reach is a 404, errors are problem+json. The list of approvals is the root path of
`decisions.router`, which carries the other routers.
"""

from serval.approvals.api.boards import router as boards_router
from serval.approvals.api.decisions import changes_router, router
from serval.approvals.api.delegations import router as delegations_router
from serval.approvals.api.policies import router as policies_router

router.add_router("", policies_router)
router.add_router("", delegations_router)
router.add_router("", boards_router)

__all__ = ["changes_router", "router"]
