"""Seed change authorities of DOMAIN.md §2.3 for the root tenant (it applies to every tenant
below it): a "CAB" and an "Emergency CAB" board, and four policies by type and risk.

| policy                                | assess                     | authorize (in parallel)  |
|---------------------------------------|----------------------------|--------------------------|
| Normal change · low risk              | assignment group's manager | —                        |
| Normal change · moderate or high risk | assignment group's manager | CAB; owners of impacted  |
|                                       |                            | services                 |
| Normal change · very high risk        | assignment group's manager | CAB; owners of impacted  |
|                                       |                            | services; requester's    |
|                                       |                            | manager (business owner) |
| Emergency change                      | —                          | Emergency CAB (any one)  |

The boards start without members: until an administrator names them, the engine asks the
change managers instead (its fallback), so nothing is ever skipped. Used by migration 0003 with
historical models and by tests with the real ones; running it twice changes nothing.
"""

from __future__ import annotations

from typing import Any

CAB = "CAB"
ECAB = "Emergency CAB"
_GROUP = ("assess", 1, "Assignment group manager", "group_manager", None, "any")
_CAB = ("authorize", 1, "CAB", "board", CAB, "any")
_OWNERS = ("authorize", 1, "Owners of impacted services", "service_owners", None, "all")
_BUSINESS = ("authorize", 1, "Business owner", "requester_manager", None, "any")
POLICIES: list[tuple[str, int, list[str], list[str], list[tuple[Any, ...]]]] = [
    ("Normal change · low risk", 10, ["normal"], ["low"], [_GROUP]),
    ("Normal change · moderate or high risk", 20, ["normal"], ["moderate", "high"],
     [_GROUP, _CAB, _OWNERS]),
    ("Normal change · very high risk", 30, ["normal"], ["very_high"],
     [_GROUP, _CAB, _OWNERS, _BUSINESS]),
    ("Emergency change", 40, ["emergency"], [],
     [("authorize", 1, "Emergency CAB", "board", ECAB, "any")]),
]  # fmt: skip
POLICY_NAMES = tuple(p[0] for p in POLICIES)
BOARDS = (
    (CAB, "Change advisory board: authorizes normal changes of moderate risk and above.", False),
    (ECAB, "Emergency CAB: authorizes emergency changes; any one member decides.", True),
)


def seed(tenant_model: Any, board_model: Any, policy_model: Any, step_model: Any) -> None:
    """Create the boards and policies in the root tenant where they are missing."""
    root = tenant_model.objects.filter(parent=None).order_by("pk").first()
    if root is None:
        return
    boards = {}
    for name, description, emergency in BOARDS:
        boards[name], _ = board_model.objects.get_or_create(
            tenant=root, name=name, defaults={"description": description, "emergency": emergency}
        )
    for name, order, types, risks, steps in POLICIES:
        if policy_model.objects.filter(tenant=root, name=name).exists():
            continue
        policy = policy_model.objects.create(
            tenant=root, name=name, kind="change", change_types=types, risks=risks, order=order
        )
        for stage, step_order, label, kind, board, mode in steps:
            step_model.objects.create(
                policy=policy,
                stage=stage,
                order=step_order,
                label=label,
                approver_kind=kind,
                board=boards[board] if board else None,
                mode=mode,
                quorum=1,
            )


def seed_now() -> None:
    """The same with the real models (tests, after a transactional flush)."""
    from serval.approvals.models import ApprovalPolicy, Board, PolicyStep
    from serval.core.models import Tenant

    seed(Tenant, Board, ApprovalPolicy, PolicyStep)
