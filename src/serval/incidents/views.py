"""Incident pages: list and queues, create, the incident page and its forms.

Thin adapters (DESIGN.md rule 1): each POST view validates the shape of the input with a form,
calls one action, and turns domain errors into form errors or messages. Every object is fetched
through `visible_to` / `access_work_item`; anything out of reach is a 404.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from serval.cmdb import worklinks
from serval.core import rawrows
from serval.core.errors import NotFound, PermissionDenied, StaleVersion, ValidationFailed
from serval.core.exports import csv_response
from serval.core.lookups import id_list_param, id_list_sql
from serval.core.rawrows import (
    RowReader,
    column,
    exists_sql,
    own_table_only,
    select_list,
    table,
    with_conditions,
)
from serval.incidents import actions, listing
from serval.incidents.forms import (
    SIDE_FIELDS,
    TEXT_FIELDS,
    AttachmentForm,
    CommentForm,
    IncidentFilterForm,
    IncidentForm,
    MajorForm,
    ParentForm,
    TransitionForm,
    add_action_errors,
    caller_choices,
    member_choices,
)
from serval.incidents.models import IncidentDetail, MajorState
from serval.incidents.states import INCIDENT, OPEN_STATES
from serval.people.models import Team, User
from serval.people.querysets import teams_visible_to
from serval.sla.views import clock_groups
from serval.web import workitem_views
from serval.web.models import SavedList, SavedView
from serval.web.paging import CappedPaginator
from serval.web.timeline import timeline
from serval.work.models import Attachment, Kind, WorkItem
from serval.work.querysets import access_work_item

PAGE_SIZE = 25


class HtmxHttpRequest(HttpRequest):
    """A request after django-htmx's middleware (for the type checker)."""

    htmx: HtmxDetails


_NUMBER = re.compile(r"^[A-Za-z]{2,8}-\d+$")


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _incident(request: HttpRequest, number: str) -> WorkItem:
    try:
        return access_work_item(_user(request), number, kind=Kind.INCIDENT)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _held_version(request: HttpRequest, item: WorkItem) -> int:
    """The item version the page holds (`?version=`, sent by app.js when it fetches a form the
    page did not draw), so a form fetched later is still refused as stale if the item changed
    since the page was drawn; anything but a plain number is the item's own version."""
    raw = request.GET.get("version", "")
    return int(raw) if raw.isascii() and raw.isdecimal() and len(raw) < 10 else item.version


def _version_header(response: HttpResponse, item: WorkItem) -> HttpResponse:
    """Tell app.js the item's new version, so other forms on the page stay current."""
    response["Serval-Version"] = str(item.version)
    return response


# --- lists ----------------------------------------------------------------------------------


def _list_querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    for key in ("page", "go"):
        params.pop(key, None)
    return params.urlencode()


@login_required
@require_GET
def incident_list(request: HtmxHttpRequest, team_id: int | None = None) -> HttpResponse:
    """All incidents the user can see, filtered, sorted and paged; also one team's queue.

    Rows are plain values (`serval.incidents.listing`); an htmx refresh of the results skips
    what only the full page draws (the filter selects' options, the saved views).
    """
    user = _user(request)
    team = None
    qs: QuerySet[WorkItem] = WorkItem.objects.visible_to(user).filter(kind=Kind.INCIDENT)
    if team_id is not None:
        team = teams_visible_to(user).filter(pk=team_id).first() if user.is_agent else None
        if team is None:
            raise Http404()
        qs = qs.filter(assignment_group=team)
    form = IncidentFilterForm(request.GET, user=user)
    page = CappedPaginator(form.apply(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    link = request.GET.copy()
    for key in ("page", "go", "impacted_service"):
        link.pop(key, None)
    link["impacted_service"] = ""
    rows = listing.rows(
        page.object_list,  # type: ignore[arg-type]
        user,
        impact_link=f"{request.path}?{link.urlencode()}",
    )
    q = (request.GET.get("q") or "").strip()
    if request.GET.get("go") and _NUMBER.match(q) and page.paginator.count == 1:
        return redirect("incident-detail", number=rows[0]["number"])
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "team": team,
        "querystring": _list_querystring(request),
        "active_filters": form.active_count(),
        "list_url": request.path,
    }
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        return render(request, "incidents/list.html#results", context)
    context["saved_views"] = SavedView.objects.filter(
        user=user, list_name=SavedList.INCIDENTS
    ).only("pk", "name", "querystring")
    return render(request, "incidents/list.html", context)


EXPORT_COLUMNS = [
    ("number", "number"),
    ("title", "title"),
    ("state", "state"),
    ("priority", "priority"),
    ("impact", "impact"),
    ("urgency", "urgency"),
    ("assignment_group", "assignment_group__name"),
    ("assignee", "assignee__username"),
    ("caller", "caller__username"),
    ("service", "service"),
    ("configuration_item", "configuration_item"),
    ("category", "category"),
    ("channel", "channel"),
    ("opened_at", "opened_at"),
    ("resolved_at", "resolved_at"),
    ("closed_at", "closed_at"),
    ("close_code", "close_code"),
    ("reassignment_count", "reassignment_count"),
    ("reopen_count", "reopen_count"),
]
EXPORT_MAX_ROWS = 100_000


@login_required
@require_GET
def incident_export(request: HttpRequest) -> StreamingHttpResponse:
    """The list as CSV, with the same filters and the same visibility as the page."""
    user = _user(request)
    qs: QuerySet[WorkItem] = WorkItem.objects.visible_to(user).filter(kind=Kind.INCIDENT)
    form = IncidentFilterForm(request.GET, user=user)
    fields = [field for _, field in EXPORT_COLUMNS]
    rows = form.apply(qs).values_list(*fields)[:EXPORT_MAX_ROWS].iterator(chunk_size=2000)
    return csv_response(
        filename="incidents.csv", header=[name for name, _ in EXPORT_COLUMNS], rows=rows
    )


# --- create ---------------------------------------------------------------------------------


@login_required
def incident_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    initial = {"channel": "phone", "impact": 3, "urgency": 3}
    form = IncidentForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.action_values()
        if not user.is_agent:
            values["channel"] = "portal"
        try:
            item = actions.create_incident(actor=user, **values)
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(number)s was created.") % {"number": item.number})
            return redirect("incident-detail", number=item.number)
    impact = form["impact"].value() if "impact" in form.fields else 3
    urgency = form["urgency"].value() if "urgency" in form.fields else 3
    context = {
        "form": form,
        "priority": _priority(impact, urgency),
        "callers": caller_choices(user) if user.is_agent else [],
    }
    return render(request, "incidents/create.html", context)


def _priority(impact: Any, urgency: Any) -> int | None:
    try:
        i, u = int(impact), int(urgency)
    except (TypeError, ValueError):
        return None
    if i not in (1, 2, 3) or u not in (1, 2, 3):
        return None
    return actions.priority_for(i, u)


@login_required
@require_GET
def priority_preview(request: HttpRequest) -> HttpResponse:
    """The read-only priority for an impact × urgency pair, redrawn by htmx as the user picks."""
    priority = _priority(request.GET.get("impact"), request.GET.get("urgency"))
    return render(request, "incidents/_priority.html", {"priority": priority})


@login_required
@require_GET
def assignee_options(request: HttpRequest) -> HttpResponse:
    """The <option>s for the assignee select: agents of the chosen (visible) group."""
    user = _user(request)
    if not user.is_agent:
        raise Http404()
    choices = member_choices(user, request.GET.get("assignment_group"), str(_("— Unassigned —")))
    return render(
        request,
        "incidents/_assignee_options.html",
        {"choices": choices, "selected": request.GET.get("assignee", "")},
    )


# --- the incident page ----------------------------------------------------------------------


# Read with the item in one join: the one-to-one detail and the group. The people it names come
# in a second query, with its watchers.
_PAGE_RELATED = ("assignment_group", "incident")
_ITEM_PEOPLE = ("caller", "assignee", "opened_by", "resolved_by")
_DETAIL_PEOPLE = ("major_proposed_by", "major_manager")


@cache
def _item_sql(
    vendor: str,
) -> tuple[str, RowReader[WorkItem], RowReader[Team], RowReader[IncidentDetail]]:
    """`SELECT` the item, its group and its incident detail, up to the WHERE clause: written
    once per process (`vendor` keys it). The table names are the aliases, as in the ORM's
    conditions that follow it. Only names from the models' metadata go into the text."""
    item, team, detail = table(WorkItem), table(Team), table(IncidentDetail)
    return (
        f"SELECT {select_list(WorkItem, item)}, {select_list(Team, team)}, "  # noqa: S608
        f"{select_list(IncidentDetail, detail)} FROM {item} "
        f"LEFT JOIN {team} ON {team}.{column(Team, 'id')} = "
        f"{item}.{column(WorkItem, 'assignment_group')} "
        f"LEFT JOIN {detail} ON {detail}.{column(IncidentDetail, 'work_item')} = "
        f"{item}.{column(WorkItem, 'id')}",
        RowReader(WorkItem),
        RowReader(Team),
        RowReader(IncidentDetail),
    )


def _read_item(qs: QuerySet[WorkItem]) -> WorkItem | None:
    """`qs.select_related("assignment_group", "incident").order_by().first()`, with only the
    conditions of `qs` (visibility among them) compiled by the ORM: compiling the whole
    three-table statement cost ~0.4 ms of every view of the page (issue 6)."""
    if not own_table_only(qs.query):
        rows = list(qs.select_related(*_PAGE_RELATED).order_by()[:1])
        return rows[0] if rows else None
    head, items, teams, details = _item_sql(connection.vendor)
    statement = with_conditions(qs.query, head, "LIMIT 1")
    row = None if statement is None else rawrows.one(*statement)
    if row is None:
        return None
    item = items(row)
    team_at, detail_at = items.width, items.width + teams.width
    item.assignment_group = teams(row, team_at) if row[team_at] is not None else None
    detail = details(row, detail_at) if row[detail_at] is not None else None
    # What select_related leaves: the detail cached on the item (None: "has no detail"), and
    # the item on its detail.
    WorkItem.incident.related.set_cached_value(item, detail)  # type: ignore[attr-defined]
    if detail is not None:
        IncidentDetail.work_item.field.set_cached_value(detail, item)
    return item


def _page_item(qs: QuerySet[WorkItem]) -> tuple[WorkItem, list[User]] | None:
    """The item with what its page shows, and its watchers, in two queries.

    Not one join of the ten tables (item, detail, group, parent and six people): PostgreSQL
    spent 6–10 ms *planning* that join on every page view, against well under 1 ms for these
    two (measured at 20,000 items, issue 6). The parent is read by the page under the
    viewer's visibility anyway.

    Unordered on purpose (`qs` names one item): `.first()` would order by pk, and Django then
    hashes every joined column to match the ordering against the select."""
    item = _read_item(qs)
    if item is None:
        return None
    detail = getattr(item, "incident", None)
    # (row, field, user id) of every person the item and its detail name.
    named = [
        (owner, name, pk)
        for owner, names in ((item, _ITEM_PEOPLE), (detail, _DETAIL_PEOPLE))
        if owner is not None
        for name in names
        if (pk := getattr(owner, f"{name}_id")) is not None
    ]
    people = _people(item.pk, {pk for _owner, _name, pk in named})
    by_pk = {person.pk: person for person in people}
    for owner, name, pk in named:
        setattr(owner, name, by_pk[pk])
    return item, [person for person in people if person.watcher]  # type: ignore[attr-defined]


@cache
def _probe_sql(vendor: str) -> str:
    """Whether an item has attachments, children: written once per process (`vendor` keys it)."""
    return exists_sql((Attachment, "work_item"), (WorkItem, "parent"))


def _has_attachments_and_children(item_pk: int) -> tuple[bool, bool]:
    """Most items have neither, and one probe costs less than compiling the two queries that
    would find nothing (~0.6 ms of the page, issue 6); visibility is applied by those queries."""
    files, children = rawrows.one(_probe_sql(connection.vendor), [item_pk, item_pk]) or (0, 0)
    return bool(files), bool(children)


@cache
def _people_sql(vendor: str) -> tuple[str, RowReader[User]]:
    """The people an item names (one list parameter) and its watchers, each with a `watcher`
    flag: written once per process (`vendor` keys it; quoting differs). The queryset it
    replaces, with its `Exists` annotation, cost ~0.5 ms of compiling on every view of the
    page (issue 6). Only names from the models' metadata go into the text."""
    through = WorkItem.watchers.through
    watchers, item, user = table(through), column(through, "workitem"), column(through, "user")
    pk = column(User, "id")
    watched = f"SELECT {user} FROM {watchers} WHERE {item} = %s"  # noqa: S608
    sql = (
        f"SELECT {select_list(User, 'u')}, u.{pk} IN ({watched}) FROM {table(User)} u "  # noqa: S608
        f"WHERE u.{pk} {id_list_sql(vendor)} OR u.{pk} IN ({watched})"
    )
    return sql, RowReader(User)


def _people(item_pk: int, named: set[int]) -> list[User]:
    """`named` people and the item's watchers; `person.watcher` tells which watch it."""
    sql, reader = _people_sql(connection.vendor)
    people = []
    for row in rawrows.rows(sql, [item_pk, id_list_param(named, connection.vendor), item_pk]):
        person = reader(row)
        person.watcher = bool(row[reader.width])  # type: ignore[attr-defined]
        people.append(person)
    return people


def _detail_context(
    request: HttpRequest, item: WorkItem, *, watchers: list[User] | None = None, **overrides: Any
) -> dict[str, Any]:
    """Everything the incident page draws; `watchers` given says `item` came from `_page_item`
    for this request (otherwise it is read again: after a write it may be stale)."""
    user = _user(request)
    if watchers is None:
        item, watchers = _page_item(WorkItem.objects.filter(pk=item.pk)) or (item, [])
    try:
        detail: IncidentDetail | None = item.incident  # type: ignore[attr-defined]
    except IncidentDetail.DoesNotExist:
        detail = None
    transitions = []
    for t in INCIDENT.available(item, user):
        entry = {"t": t, "dialog": f"dlg-transition-{t.target}"}
        entry["form"] = overrides.get(f"transition:{t.target}")  # came back with errors
        if t.requires and entry["form"] is None:
            # Fetched as its dialog opens (`incident_transition_form`): drawing the four
            # dialogs' forms was ~3.5 ms of every view of the page (issue 6).
            entry["src"] = reverse("incident-transition-form", args=[item.number, t.target])
        transitions.append(entry)
    has_attachments, has_children = _has_attachments_and_children(item.pk)
    attachments: list[Any] = []
    if has_attachments:
        files = item.attachments.select_related("uploaded_by")
        attachments = list(files if user.is_agent else files.filter(internal=False))
    visible = WorkItem.objects.visible_to(user)
    children: list[Any] = []
    if has_children:
        children = list(visible.filter(parent=item).only("number", "title", "state", "priority"))
    parent = visible.filter(pk=item.parent_id).first() if item.parent_id else None
    editable = user.is_agent and (item.active or user.is_admin)
    sla_groups = clock_groups(item, user)
    context: dict[str, Any] = {
        "item": item,
        "detail": detail,
        "state": INCIDENT.states.get(item.state),
        "transitions": transitions,
        "entries": timeline(item, user, clock_types=_clock_types(sla_groups)),
        "sla_groups": sla_groups,
        "attachments": attachments,
        "children": children,
        "parent": parent,
        "watchers": watchers,
        "watching": any(w.pk == user.pk for w in watchers),
        "editable": editable,
        "comment_form": overrides.get("comment") or CommentForm(),
        "attachment_form": AttachmentForm(),
        "max_upload": settings.ATTACHMENT_MAX_BYTES,
        "open_dialog": overrides.get("open_dialog", ""),
        "conflict": overrides.get("conflict"),
        "is_open": item.state in OPEN_STATES,
        "impact_card": worklinks.card(item, user),
        "links_card": workitem_views.links_card(
            item, user, action=reverse("incident-links", args=[item.number])
        ),
    }
    if editable:
        context["edit_form"] = overrides.get("edit") or IncidentForm(
            user=user, item=item, fields=SIDE_FIELDS, auto_id="edit-%s"
        )
        # The title and description form is fetched when "Edit" is clicked
        # (`incident_text_form`); it is drawn here only when it came back with errors.
        context["text_form"] = overrides.get("text")
        context["text_form_src"] = reverse("incident-text-form", args=[item.number])
        context["parent_form"] = ParentForm(
            initial={"parent": parent.number if parent else "", "version": item.version}
        )
        context["callers"] = caller_choices(user)
    if detail is not None:
        context["can_propose_major"] = (
            user.is_agent
            and item.state in OPEN_STATES
            and detail.major_state not in (MajorState.PROPOSED, MajorState.ACCEPTED)
        )
        context["can_decide_major"] = (
            user.role in ("manager", "admin") and detail.major_state == MajorState.PROPOSED
        )
    return context


def _clock_types(groups: list[Any]) -> dict[int, str]:
    """Clock id → agreement type of the clocks on the page, for the timeline's SLA lines."""
    return {
        view.clock.pk: view.clock.definition.type
        for group in groups
        for view in (group.latest, *group.older)
    }


@login_required
@require_GET
def incident_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The incident page: visibility and the page's data in one query (`access_work_item`'s
    rule: out of reach, or not a well-formed number, is a 404)."""
    user = _user(request)
    page = None
    if _NUMBER.match(number):
        visible = WorkItem.objects.visible_to(user).filter(kind=Kind.INCIDENT)
        page = _page_item(visible.filter(number=number.upper()))
    if page is None:
        raise Http404(f"No work item {number}.")
    item, watchers = page
    return render(
        request, "incidents/detail.html", _detail_context(request, item, watchers=watchers)
    )


def _rerender(request: HttpRequest, item: WorkItem, **overrides: Any) -> HttpResponse:
    return render(request, "incidents/detail.html", _detail_context(request, item, **overrides))


def _conflict_message(exc: StaleVersion) -> str:
    return _(
        "Someone else changed this incident while you were editing it, so your change was "
        "not saved. The page now shows the current version (%(version)s); check it and submit "
        "again."
    ) % {"version": exc.current}


@login_required
@require_POST
def incident_edit(request: HttpRequest, number: str) -> HttpResponse:
    """Save the side panel (or the title and description) with the version the user saw."""
    user = _user(request)
    item = _incident(request, number)
    section = "text" if request.POST.get("section") == "text" else "edit"
    fields = TEXT_FIELDS if section == "text" else SIDE_FIELDS
    auto_id = f"{section}-%s"
    form = IncidentForm(request.POST, user=user, item=item, fields=fields, auto_id=auto_id)
    if form.is_valid():
        try:
            actions.update_incident(
                actor=user,
                item=item,
                expected_version=form.cleaned_data.get("version"),
                **form.action_values(),
            )
        except StaleVersion as exc:
            item.refresh_from_db()
            data = request.POST.copy()
            data["version"] = str(exc.current)
            form = IncidentForm(data, user=user, item=item, fields=fields, auto_id=auto_id)
            form.is_valid()
            return _rerender(request, item, **{section: form}, conflict=_conflict_message(exc))
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("incident-detail", number=item.number)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("incident-detail", number=item.number)
    return _rerender(request, item, **{section: form})


@login_required
@require_GET
def incident_transition_form(request: HttpRequest, number: str, target: str) -> HttpResponse:
    """One transition's form, fetched when its dialog first opens (app.js `data-dialog-src`).

    `version` is the item version the page holds, so a change made by someone else since the
    page was drawn is still refused as stale when the form is sent. A step the state machine
    does not offer this user now is a 404, as an item out of their reach is.
    """
    user = _user(request)
    item = _incident(request, number)
    transition = next((t for t in INCIDENT.available(item, user) if t.target == target), None)
    if transition is None or not transition.requires:
        raise Http404("No such step from here.")
    version = _held_version(request, item)
    entry = {
        "t": transition,
        "dialog": f"dlg-transition-{target}",
        "form": TransitionForm(
            user=user,
            item=item,
            requires=transition.requires,
            initial={"to": target, "version": version},
            auto_id=f"t-{target}-%s",
        ),
    }
    return render(
        request,
        "web/_transition_form.html",
        {
            "entry": entry,
            "action": reverse("incident-transition", args=[item.number]),
            "number": item.number,
            "assignees_url": reverse("incident-assignees"),
        },
    )


@login_required
@require_GET
def incident_text_form(request: HttpRequest, number: str) -> HttpResponse:
    """The title and description fields, fetched when "Edit" is first clicked (app.js
    `data-fill-src`): building and drawing them, the whole description in a textarea, on every
    view of the page cost ~1 ms for a form most views never open (issue 6).

    `version` is the item version the page holds, so a change made by someone else since the
    page was drawn is still refused as stale when the form is sent. Whoever may not edit the
    item gets a 404, as for an item out of reach.
    """
    user = _user(request)
    item = _incident(request, number)
    if not (user.is_agent and (item.active or user.is_admin)):
        raise Http404("Not editable.")
    version = _held_version(request, item)
    form = IncidentForm(user=user, item=item, fields=TEXT_FIELDS, auto_id="text-%s")
    form.initial["version"] = version
    return render(request, "incidents/_text_form.html", {"text_form": form})


@login_required
@require_POST
def incident_transition(request: HttpRequest, number: str) -> HttpResponse:
    """Fire one transition offered by the state machine, with the fields it requires."""
    user = _user(request)
    item = _incident(request, number)
    target = request.POST.get("to", "")
    transition = next((t for t in INCIDENT.available(item, user) if t.target == target), None)
    if transition is None:
        allowed = ", ".join(t.label for t in INCIDENT.available(item, user)) or _("none")
        messages.error(
            request,
            _("That step is not possible from here. Possible now: %(allowed)s.")
            % {"allowed": allowed},
        )
        return redirect("incident-detail", number=item.number)
    form = TransitionForm(
        request.POST,
        user=user,
        item=item,
        requires=transition.requires,
        auto_id=f"t-{target}-%s",
    )
    dialog = f"dlg-transition-{target}"
    if form.is_valid():
        try:
            actions.transition_incident(
                actor=user,
                item=item,
                to=target,
                expected_version=form.cleaned_data["version"],
                **form.action_fields(),
            )
        except StaleVersion as exc:
            return _rerender(request, item, conflict=_conflict_message(exc))
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            item.refresh_from_db()
            messages.success(
                request,
                _("%(number)s is now %(state)s.")
                % {"number": item.number, "state": INCIDENT.states[item.state].label.lower()},
            )
            return redirect("incident-detail", number=item.number)
    return _rerender(request, item, **{f"transition:{target}": form}, open_dialog=dialog)


@login_required
@require_POST
def incident_comment(request: HtmxHttpRequest, number: str) -> HttpResponse:
    """Add a comment or work note; htmx swaps in the new timeline, plain POST redirects."""
    user = _user(request)
    item = _incident(request, number)
    form = CommentForm(request.POST)
    if form.is_valid():
        internal = bool(form.cleaned_data["internal"]) and user.is_agent
        try:
            actions.comment_on_incident(
                actor=user, item=item, body=form.cleaned_data["body"], internal=internal
            )
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            item.refresh_from_db()
            if request.htmx:
                context = _detail_context(request, item)
                response = render(request, "incidents/detail.html#timeline", context)
                return _version_header(response, item)
            messages.success(request, _("Your note was added."))
            return redirect(reverse("incident-detail", args=[item.number]) + "#timeline")
    if request.htmx:
        context = _detail_context(request, item, comment=form)
        response = render(request, "incidents/detail.html#composer", context)
        return reswap(retarget(response, "#composer"), "outerHTML")
    return _rerender(request, item, comment=form)


@login_required
@require_POST
def incident_attach(request: HttpRequest, number: str) -> HttpResponse:
    item = _incident(request, number)
    back = redirect(reverse("incident-detail", args=[item.number]) + "#attachments")
    return workitem_views.attach(request, item, back)


@login_required
@require_POST
def incident_watch(request: HttpRequest, number: str) -> HttpResponse:
    item = _incident(request, number)
    return workitem_views.watch(request, item, redirect("incident-detail", number=item.number))


@login_required
@require_POST
def incident_parent(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    item = _incident(request, number)
    form = ParentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter an incident number such as INC-1001."))
        return redirect("incident-detail", number=item.number)
    try:
        actions.update_incident(
            actor=user,
            item=item,
            expected_version=form.cleaned_data["version"],
            parent=form.cleaned_data["parent"].strip(),
        )
    except StaleVersion as exc:
        return _rerender(request, item, conflict=_conflict_message(exc))
    except (ValidationFailed, PermissionDenied) as exc:
        detail = exc.as_dict().get("parent", str(exc)) if isinstance(exc, ValidationFailed) else ""
        messages.error(request, detail or str(exc))
    else:
        messages.success(request, _("The parent incident was updated."))
    return redirect("incident-detail", number=item.number)


@login_required
@require_POST
def incident_major(request: HttpRequest, number: str) -> HttpResponse:
    """Propose an incident as major (agents), or accept / reject a proposal (managers)."""
    user = _user(request)
    item = _incident(request, number)
    form = MajorForm(request.POST)
    if not form.is_valid():
        raise Http404()
    decision = form.cleaned_data["decision"]
    try:
        if decision == "propose":
            actions.propose_major(
                actor=user, item=item, business_impact=form.cleaned_data["business_impact"]
            )
            messages.success(request, _("Proposed as a major incident."))
        else:
            actions.decide_major(
                actor=user,
                item=item,
                accept=decision == "accept",
                reason=form.cleaned_data["business_impact"],
            )
            messages.success(
                request,
                _("Accepted as a major incident.")
                if decision == "accept"
                else _("The major-incident proposal was rejected."),
            )
    except (ValidationFailed, PermissionDenied) as exc:
        messages.error(request, str(exc.detail))
    return redirect("incident-detail", number=item.number)


@login_required
@require_POST
def incident_impact_links(request: HttpRequest, number: str) -> HttpResponse:
    """Link or unlink an affected CI or service; the impacted services are recomputed."""
    item = _incident(request, number)
    back = redirect(reverse("incident-detail", args=[item.number]) + "#impact")
    return workitem_views.impact_links(request, item, back)


@login_required
@require_GET
def incident_impact_options(request: HttpRequest, number: str) -> HttpResponse:
    """Suggestions for the impact card's link forms, as the agent types (htmx)."""
    return workitem_views.impact_options(request, _incident(request, number))


@login_required
@require_POST
def incident_links(request: HttpRequest, number: str) -> HttpResponse:
    """Add or remove a typed link to another item (a change that caused the incident …)."""
    item = _incident(request, number)
    back = redirect(reverse("incident-detail", args=[item.number]) + "#links")
    return workitem_views.links_post(request, item, back)
