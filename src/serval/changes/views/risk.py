"""Change-page panel and pages: risk (to be built)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []


def panel(item: Any, detail: Any, user: Any) -> dict[str, Any] | None:
    """Not built yet: the panel is hidden."""
    return None
