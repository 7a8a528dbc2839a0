"""Schedule test helpers: windows built through the actions, around the `estate` of
tests/changes/conftest.py (Payroll ← app ─depends_on→ db ─runs_on→ server)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from serval.changes import windows
from serval.changes.models import ChangeConflict, ChangeWindow
from serval.people.models import User
from tests.api.conftest import api_as  # noqa: F401  (fixture)
from tests.changes.conftest import estate, window  # noqa: F401  (fixture and helper)


def make_window(
    actor: User,
    *,
    kind: str = "blackout",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    **fields: Any,
) -> ChangeWindow:
    """A window around the default planned change window (10 days ahead, 22:00–00:00)."""
    start, end = window()
    starts_at = starts_at or start - timedelta(hours=4)
    ends_at = ends_at or end + timedelta(hours=4)
    fields.setdefault("name", f"{kind} {starts_at:%Y%m%d%H%M}")
    if not any(fields.get(k) for k in ("services", "ci_classes", "cis", "teams")):
        fields.setdefault("is_global", True)
    return windows.create_window(
        actor=actor, kind=kind, starts_at=starts_at, ends_at=ends_at, **fields
    )


def rules(change: Any) -> set[tuple[Any, ...]]:
    """(rule, ci, related ci, window) of each stored conflict of the change."""
    return set(
        ChangeConflict.objects.filter(change_id=change.pk).values_list(
            "rule", "ci_id", "related_ci_id", "window_id"
        )
    )


def day(days: int, hour: int) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
