"""The seed calendar and P1–P5 targets of DOMAIN.md §2.1, shared by the data migration and tests.

"bd" (business day) is one working day of the seed calendar (9 h on 08:00–17:00), not 24
schedule hours — DOMAIN.md §2.5 warns that "1 day = 24 schedule hours" surprises people.
"""

from __future__ import annotations

from typing import Any

OFFICE_HOURS = "Office hours Mon–Fri 08:00–17:00"
OFFICE_WEEK = {d: [["08:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
MIN, HOUR, BD = 60, 3600, 9 * 3600

# priority → (response seconds, resolution seconds, on office hours?)
TARGETS = {
    1: (15 * MIN, 4 * HOUR, False),
    2: (30 * MIN, 8 * HOUR, False),
    3: (4 * HOUR, 3 * BD, True),
    4: (1 * BD, 5 * BD, True),
    5: (2 * BD, 10 * BD, True),
}
OPEN = ["new", "in_progress", "on_hold"]


def conditions_for(priority: int, target: str) -> dict[str, list[dict[str, Any]]]:
    start: list[dict[str, Any]] = [
        {"field": "kind", "op": "eq", "value": "incident"},
        {"field": "priority", "op": "eq", "value": priority},
    ]
    if target == "response":
        return {
            "start": start,
            "stop": [{"field": "state", "op": "not_in", "value": ["new"]}],
            "cancel": [{"field": "state", "op": "eq", "value": "cancelled"}],
        }
    return {
        "start": start,
        "pause": [
            {"field": "state", "op": "eq", "value": "on_hold"},
            {"field": "hold_reason", "op": "eq", "value": "awaiting_caller"},
        ],
        "stop": [{"field": "state", "op": "in", "value": ["resolved", "closed"]}],
        "cancel": [{"field": "state", "op": "eq", "value": "cancelled"}],
    }


def seed(tenant: Any, calendar_model: Any, definition_model: Any) -> None:
    """Create the seed calendar and definitions in `tenant` unless they exist (idempotent)."""
    office, _ = calendar_model.objects.get_or_create(
        tenant=tenant,
        name=OFFICE_HOURS,
        defaults={"time_zone": "UTC", "week": OFFICE_WEEK, "shared": True},
    )
    for priority, (response, resolution, business) in TARGETS.items():
        for target, seconds in (("response", response), ("resolution", resolution)):
            definition_model.objects.get_or_create(
                tenant=tenant,
                name=f"P{priority} {target}",
                defaults={
                    "type": "sla",
                    "target": target,
                    "duration_seconds": seconds,
                    "calendar": office if business else None,
                    "conditions": conditions_for(priority, target),
                    "shared": True,
                },
            )
