"""Change-page panel and pages: the schedule (conflicts panel, calendar, windows, feeds).

The conflicts panel (`panel`, template `changes/_conflicts_panel.html`) shows the detection's
status, each stored conflict as a sentence with links to the other change, the window and the
CIs, the change manager's override (who, when, why, which conflicts it covered) and a "check
again" button. The calendar and feed pages live in `calendar_pages`, the window pages in
`window_pages`; their routes are listed here so `serval.changes.urls` needs only this module.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.views.decorators.http import require_POST

from serval.changes import conflicts as detection
from serval.changes import explain
from serval.changes.models import ChangeConflict, ChangeDetail
from serval.changes.views import calendar_pages, window_pages
from serval.core.errors import NotFound, PermissionDenied
from serval.work.querysets import access_work_item


def change_url(number: str) -> str:
    """The change page (owned by the core change pages; a plain path until they exist)."""
    try:
        return reverse("changes-detail", args=[number])
    except NoReverseMatch:
        return f"/changes/{number}/"


def _links(c: ChangeConflict) -> list[dict[str, str]]:
    links = []
    if c.other_change_id and c.other_change:
        links.append({"label": c.other_change.number, "url": change_url(c.other_change.number)})
    if c.window_id and c.window:
        links.append(
            {"label": c.window.name, "url": reverse("changes-window-detail", args=[c.window_id])}
        )
    for ci in (c.ci, c.related_ci):
        if ci is not None:
            links.append({"label": ci.name, "url": reverse("cmdb-ci-detail", args=[ci.pk])})
    return links


def panel(item: Any, detail: Any, user: Any) -> dict[str, Any] | None:
    """The conflicts card of a change page (agents; two queries whatever the count)."""
    if not getattr(user, "is_agent", False):
        return None
    covered = set(detail.conflict_override_keys or [])
    rows = list(
        ChangeConflict.objects.filter(change_id=item.pk)
        .select_related(*explain.RELATED)
        .order_by("rule", "pk")
    )
    conflicts = [
        {
            "rule": c.rule,
            "label": c.get_rule_display(),
            "text": explain.sentence(c),
            "links": _links(c),
            "covered": c.key in covered,
            "blackout": c.rule in ("ci_blackout", "related_blackout"),
        }
        for c in rows
    ]
    override = None
    if detail.conflict_override_at is not None:
        by = detail.conflict_override_by
        override = {
            "by": by.display_name if by else "",
            "at": detail.conflict_override_at,
            "reason": detail.conflict_override_reason,
            "count": len(covered),
        }
    return {
        "status": detail.conflict_status,
        "status_label": detail.get_conflict_status_display(),
        "checked_at": detail.conflicts_checked_at,
        "conflicts": conflicts,
        "open": sum(1 for c in conflicts if not c["covered"]),
        "override": override,
        "check_url": reverse("changes-conflicts-check", args=[item.number]),
        "has_window": detail.planned_start is not None and detail.planned_end is not None,
    }


@login_required
@require_POST
def check_again(request: HttpRequest, number: str) -> HttpResponse:
    """Re-run detection for a change; htmx gets the panel back, a plain form the page."""
    user: Any = request.user
    try:
        item = access_work_item(user, number, kind="change")
        detection.check_conflicts(actor=user, item=item)
    except (NotFound, PermissionDenied) as exc:
        raise Http404() from exc
    if request.headers.get("HX-Request"):
        detail = ChangeDetail.objects.select_related("conflict_override_by").get(pk=item.pk)
        context = {"panel": panel(item, detail, user), "item": item, "detail": detail}
        return render(request, "changes/_conflicts_panel.html", context)
    return redirect(change_url(item.number))


urlpatterns: list[URLPattern] = [
    *calendar_pages.urlpatterns,
    *window_pages.urlpatterns,
    path(
        "changes/schedule/<str:number>/check-conflicts",
        check_again,
        name="changes-conflicts-check",
    ),
]
