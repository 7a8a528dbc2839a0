"""The cards of a change's page, each owned by the module that knows its data.

The change page (`serval.changes.views.core`) renders, in this order, every panel whose
`context(item, detail, user)` returns a dict (None hides it): the dict is passed to the panel's
template as `panel`. A panel module owns its template, its forms' views and its API; this list
is the only place the page learns of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: str  # dotted path of `context(item, detail, user) -> dict | None`


PANELS = (
    Panel("risk", "changes/_risk_panel.html", "serval.changes.views.risk.panel"),
    Panel("conflicts", "changes/_conflicts_panel.html", "serval.changes.views.schedule.panel"),
    Panel("approvals", "approvals/_approvals_panel.html", "serval.approvals.views.panel"),
    Panel("review", "changes/_review_panel.html", "serval.changes.views.review.panel"),
)


def _load(path: str) -> Any:
    module, name = path.rsplit(".", 1)
    return getattr(import_module(module), name)


def render(item: Any, detail: Any, user: Any) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) for each panel to show on this change for this person."""
    shown = []
    for panel in PANELS:
        context = _load(panel.context)(item, detail, user)
        if context is not None:
            shown.append((panel.template, {"panel": context, "item": item, "detail": detail}))
    return shown
