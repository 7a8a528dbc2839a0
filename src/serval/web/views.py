"""Desk-wide pages: My work, team queues, saved views and attachment downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from serval.core.errors import NotFound, ValidationFailed
from serval.incidents import listing
from serval.incidents.states import OPEN_STATES
from serval.people.models import User
from serval.people.querysets import teams_visible_to
from serval.web import actions, paging
from serval.web.models import SavedList
from serval.work.actions import attachment_path
from serval.work.models import Attachment, Kind, WorkItem

SECTION_SIZE = 15


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _open_incidents(user: User) -> Any:
    return WorkItem.objects.visible_to(user).filter(kind=Kind.INCIDENT, state__in=OPEN_STATES)


def _section(
    user: User, qs: Any, *, size: int = SECTION_SIZE, count: bool = True, **fields: Any
) -> dict[str, Any]:
    """A My-work section: its first rows as plain values and how many there are (capped)."""
    found = listing.rows(qs[:size], user, sla=False, impacts=False)
    for row in found:
        row["opened_title"] = date_format(localtime(row["opened_at"]), "DATETIME_FORMAT")
    seen = None
    if count:
        seen = len(found) if len(found) < size else paging.capped_count(qs, paging.COUNT_CAP)
    return {
        **fields,
        "items": found,
        "count": None if seen is None else min(seen, paging.COUNT_CAP),
        "capped": seen is not None and seen > paging.COUNT_CAP,
    }


@login_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    """The start page: what is on my plate, what my teams have not picked up, what I asked for.

    Rows are plain values (`serval.incidents.listing`) and counts stop at `paging.COUNT_CAP`: at a
    million items "all open P1/P2 in reach" is tens of thousands of rows, not worth counting
    exactly on every visit.
    """
    user = _user(request)
    sections = []
    if user.is_agent:
        open_items = _open_incidents(user)
        mine = open_items.filter(assignee=user).order_by("priority", "-opened_at")
        unassigned = open_items.filter(
            assignee__isnull=True, assignment_group__in=user.teams.all()
        ).order_by("priority", "opened_at")
        watching = open_items.filter(watchers=user).exclude(assignee=user).order_by("priority")
        sections = [
            _section(
                user,
                mine,
                key="mine",
                title=_("Assigned to me"),
                icon="ti-user-check",
                more=reverse("incident-list") + "?assignee=me&sort=priority",
                empty=_("Nothing is assigned to you. Pick something up from your team's queue."),
            ),
            _section(
                user,
                unassigned,
                key="unassigned",
                title=_("Unassigned in my groups"),
                icon="ti-users-group",
                more=reverse("incident-list") + "?team=mine&assignee=unassigned&sort=priority",
                empty=_("Your groups have no unassigned incidents."),
            ),
            _section(
                user,
                watching,
                key="watching",
                title=_("Watching"),
                icon="ti-eye",
                more="",
                empty=_("You are not watching any other open incident."),
            ),
        ]
        critical = paging.capped_count(open_items.filter(priority__lte=2), paging.COUNT_CAP)
        counts: dict[str, Any] = {
            "critical": min(critical, paging.COUNT_CAP),
            "critical_capped": critical > paging.COUNT_CAP,
        }
    else:
        requests = (
            WorkItem.objects.visible_to(user)
            .filter(kind=Kind.INCIDENT)
            .filter(Q(caller=user) | Q(opened_by=user))
            .order_by("-opened_at")
        )
        sections = [
            _section(
                user,
                requests.filter(state__in=OPEN_STATES),
                key="requests",
                title=_("My open requests"),
                icon="ti-inbox",
                more=reverse("incident-list"),
                empty=_("You have no open requests. Need help? Report an incident."),
            ),
            _section(
                user,
                requests.exclude(state__in=OPEN_STATES),
                size=5,
                count=False,
                key="recent",
                title=_("Recently finished"),
                icon="ti-history",
                more=reverse("incident-list") + "?state=all",
                empty=_("Nothing here yet."),
            ),
        ]
        counts = {"critical": None}
    return render(request, "web/my_work.html", {"sections": sections, "counts": counts})


@login_required
@require_GET
def team_queues(request: HttpRequest) -> HttpResponse:
    """Every group the agent can see, with open and unassigned counts; the agent's own first."""
    user = _user(request)
    if not user.is_agent:
        raise Http404()
    teams = list(teams_visible_to(user).select_related("manager"))
    rows = (
        WorkItem.objects.visible_to(user)
        .filter(kind=Kind.INCIDENT, state__in=OPEN_STATES, assignment_group__isnull=False)
        .values("assignment_group")
        .annotate(
            open=Count("pk"),
            unassigned=Count("pk", filter=Q(assignee__isnull=True)),
            critical=Count("pk", filter=Q(priority__lte=2)),
        )
    )
    stats: dict[int, Any] = {r["assignment_group"]: r for r in rows}
    mine = set(user.teams.values_list("pk", flat=True))
    cards: list[dict[str, Any]] = [
        {
            "team": t,
            "mine": t.pk in mine,
            "open": stats.get(t.pk, {}).get("open", 0),
            "unassigned": stats.get(t.pk, {}).get("unassigned", 0),
            "critical": stats.get(t.pk, {}).get("critical", 0),
        }
        for t in teams
    ]
    cards.sort(key=lambda c: (not c["mine"], str(c["team"]).lower()))
    return render(request, "web/team_queues.html", {"cards": cards})


# --- saved views ----------------------------------------------------------------------------


# Where each list's views open; a view is only ever offered and opened on its own list.
LIST_URL_NAMES: dict[str, str] = {
    SavedList.INCIDENTS: "incident-list",
    SavedList.CHANGES: "changes-list",
}


def _back_to_list(request: HttpRequest, list_name: str, querystring: str = "") -> HttpResponse:
    fallback = reverse(LIST_URL_NAMES[list_name])
    target = request.POST.get("return_to") or fallback
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return redirect(target + (f"?{querystring}" if querystring else ""))


@login_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    list_name = actions.saved_list(request.POST.get("list"))
    try:
        view = actions.save_view(
            actor=user,
            name=request.POST.get("name", ""),
            querystring=request.POST.get("querystring", ""),
            list_name=list_name,
        )
    except ValidationFailed:
        messages.error(request, _("Give the view a name of 1 to 80 characters."))
        querystring = actions.clean_querystring(request.POST.get("querystring", ""), list_name)
        return _back_to_list(request, list_name, querystring)
    messages.success(request, _("Saved the view “%(name)s”.") % {"name": view.name})
    return _back_to_list(request, list_name, view.querystring)


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    list_name = actions.saved_list(request.POST.get("list"))
    try:
        actions.delete_view(actor=_user(request), view_id=view_id)
    except NotFound as exc:
        raise Http404() from exc
    messages.success(request, _("The saved view was deleted."))
    return _back_to_list(request, list_name)


# --- attachments ----------------------------------------------------------------------------


def visible_attachment(user: User, attachment_id: int) -> Attachment:
    """An attachment whose work item the user can see; internal ones for agents only."""
    attachment = Attachment.objects.visible_to(user).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404()
    return attachment


@login_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    """Serve a file to someone who may see its work item, always as a download, never rendered.

    SECURITY-REFERENCE A2/B3/F2: looked up through visibility, internal files for agents only,
    `Content-Disposition: attachment`, `nosniff`, and a sandbox CSP in case a browser renders
    it anyway; the stored content type comes from our own magic-byte check, not the uploader.
    """
    attachment = visible_attachment(_user(request), attachment_id)
    try:
        path = attachment_path(attachment)
        handle = open(path, "rb")
    except (NotFound, FileNotFoundError) as exc:
        raise Http404() from exc
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=attachment.filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "no-store"
    return response
