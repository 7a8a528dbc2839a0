"""Change pages: the list, the create form, the change page and its forms, change tasks.

Thin adapters (DESIGN.md rule 1): each POST view shapes its input with a form, calls one
action, and turns domain errors into form errors or messages. Changes are agents' work; every
item is fetched through `visible_to` (`change_or_404`), anything out of reach is a 404. The
cards other concepts own (risk, conflicts, approvals, review) come from
`serval.changes.panels.render`, in its order.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from serval.changes import actions, panels, tasks
from serval.changes import states as S
from serval.changes.forms import (
    ChangeFilterForm,
    ChangeForm,
    ChangeTransitionForm,
    TaskForm,
    TaskTransitionForm,
    add_action_errors,
    usable_templates,
)
from serval.changes.models import ChangeDetail, ChangeTemplate, ConflictStatus
from serval.changes.querysets import access_change
from serval.changes.views import templates as template_views
from serval.cmdb import worklinks
from serval.core.errors import NotFound, PermissionDenied, StaleVersion, ValidationFailed
from serval.core.exports import csv_response
from serval.incidents.forms import AttachmentForm, CommentForm, caller_choices
from serval.people.models import User
from serval.web import workitem_views
from serval.web.models import SavedList, SavedView
from serval.web.timeline import timeline
from serval.work.models import Kind, WorkItem
from serval.work.querysets import access_work_item

PAGE_SIZE = 25
_NUMBER = re.compile(r"^[A-Za-z]{2,8}-\d+$")
LIST_RELATED = ("change", "change__template", "assignment_group", "assignee", "caller")


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _require_agent(request: HttpRequest) -> User:
    user = _user(request)
    if not user.is_agent:
        raise Http404()
    return user


def change_or_404(request: HttpRequest, number: str, *, kind: str = Kind.CHANGE) -> WorkItem:
    """A change (or change task) the user may see; anything else is a 404."""
    try:
        if kind == Kind.CHANGE:
            return access_change(_user(request), number)
        return access_work_item(_user(request), number, kind=kind)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _conflict_message(exc: StaleVersion) -> str:
    return _(
        "Someone else changed this change while you were editing it, so your change was not "
        "saved. The page now shows the current version (%(version)s); check it and submit again."
    ) % {"version": exc.current}


# --- list -------------------------------------------------------------------------------------


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    for key in ("page", "go"):
        params.pop(key, None)
    return params.urlencode()


@login_required
@require_GET
def change_list(request: HtmxHttpRequest) -> HttpResponse:
    """Changes the agent may see, filtered, sorted and paged."""
    user = _require_agent(request)
    form = ChangeFilterForm(request.GET, user=user)
    qs = form.apply(WorkItem.objects.visible_to(user).filter(kind=Kind.CHANGE)).select_related(
        *LIST_RELATED
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    q = (request.GET.get("q") or "").strip()
    if request.GET.get("go") and _NUMBER.match(q) and page.paginator.count == 1:
        return redirect("changes-detail", number=page.object_list[0].number)
    context = {
        "form": form,
        "page": page,
        "querystring": _querystring(request),
        "active_filters": form.active_count(),
        "list_url": request.path,
    }
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        return render(request, "changes/list.html#results", context)
    context["saved_views"] = SavedView.objects.filter(user=user, list_name=SavedList.CHANGES).only(
        "pk", "name", "querystring"
    )
    return render(request, "changes/list.html", context)


EXPORT_COLUMNS = [
    ("number", "number"),
    ("title", "title"),
    ("type", "change__change_type"),
    ("template", "change__template__name"),
    ("state", "state"),
    ("risk", "change__risk"),
    ("priority", "priority"),
    ("impact", "impact"),
    ("urgency", "urgency"),
    ("assignment_group", "assignment_group__name"),
    ("assignee", "assignee__username"),
    ("requester", "caller__username"),
    ("category", "category"),
    ("planned_start", "change__planned_start"),
    ("planned_end", "change__planned_end"),
    ("actual_start", "change__actual_start"),
    ("actual_end", "change__actual_end"),
    ("conflict_status", "change__conflict_status"),
    ("close_code", "close_code"),
    ("opened_at", "opened_at"),
    ("closed_at", "closed_at"),
]
EXPORT_MAX_ROWS = 100_000


@login_required
@require_GET
def change_export(request: HttpRequest) -> StreamingHttpResponse:
    """The list as CSV (formula-safe), with the same filters and visibility as the page."""
    user = _require_agent(request)
    form = ChangeFilterForm(request.GET, user=user)
    qs = form.apply(WorkItem.objects.visible_to(user).filter(kind=Kind.CHANGE))
    fields = [f for _, f in EXPORT_COLUMNS]
    rows = qs.values_list(*fields)[:EXPORT_MAX_ROWS].iterator(chunk_size=2000)
    return csv_response(
        filename="changes.csv", header=[name for name, _ in EXPORT_COLUMNS], rows=rows
    )


# --- create -----------------------------------------------------------------------------------


def _template_choice(user: User, value: Any) -> ChangeTemplate | None:
    if value in (None, "") or not str(value).isdigit() or len(str(value)) > 18:
        return None
    return usable_templates(user).filter(pk=int(value)).first()


@login_required
def change_create(request: HttpRequest) -> HttpResponse:
    """Raise a change: Normal or Emergency, or Standard from an approved template."""
    user = _require_agent(request)
    source = request.POST if request.method == "POST" else request.GET
    template = _template_choice(user, source.get("template"))
    initial: dict[str, Any] | None = None
    if template is None:
        kind = source.get("change_type") or source.get("type") or "normal"
        initial = {"change_type": kind if kind in ("normal", "emergency") else "normal"}
        initial.update({"impact": 3, "urgency": 3})
    data = request.POST if request.method == "POST" else None
    if initial is None:
        form = ChangeForm(data, user=user, template=template)
    else:
        form = ChangeForm(data, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.action_values()
        try:
            item = actions.create_change(actor=user, template=template, **values)
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(number)s was created.") % {"number": item.number})
            return redirect("changes-detail", number=item.number)
    context = {
        "form": form,
        "template": template,
        "templates": list(usable_templates(user)[:200]),
        "callers": caller_choices(user),
    }
    return render(request, "changes/create.html", context)


# --- the change page --------------------------------------------------------------------------


def _path(machine: Any) -> list[Any]:
    """The states on this type's path, in order (Cancelled is a way out, not a step)."""
    on_path = {t.source for t in machine.transitions} | {t.target for t in machine.transitions}
    return [s for s in machine.states.values() if s.key in on_path and s.key != S.CANCELLED]


def _detail_context(request: HttpRequest, item: WorkItem, **overrides: Any) -> dict[str, Any]:
    from serval.changes.api.core import transitions_for, uncovered_counts

    user = _user(request)
    item = (
        WorkItem.objects.select_related(
            "caller", "assignee", "assignment_group", "opened_by", "resolved_by"
        )
        .prefetch_related(Prefetch("watchers", queryset=User.objects.only("pk", "username")))
        .get(pk=item.pk)
    )
    detail = ChangeDetail.objects.select_related("template", "conflict_override_by").get(
        work_item_id=item.pk
    )
    uncovered = uncovered_counts([detail])[detail.pk]
    machine = S.machine_for(detail.change_type)
    transitions = []
    for t in transitions_for(item, detail, user, uncovered=uncovered):
        requires = tuple(t["requires"])
        form = overrides.get(f"transition:{t['to']}") or ChangeTransitionForm(
            requires=requires,
            initial={"to": t["to"], "version": item.version},
            auto_id=f"t-{t['to']}-%s",
        )
        spec = next(x for x in machine.available(item, user) if x.target == t["to"])
        transitions.append(
            {"t": spec, "form": form, "requires": requires, "dialog": f"dlg-transition-{t['to']}"}
        )
    attachments = item.attachments.select_related("uploaded_by")
    if not user.is_agent:
        attachments = attachments.filter(internal=False)
    watchers = list(item.watchers.all())
    editable = user.is_agent and (item.active or user.is_admin)
    task_rows = list(
        WorkItem.objects.visible_to(user)
        .filter(kind=Kind.CHANGE_TASK, parent=item)
        .select_related("assignment_group", "assignee")
        .order_by("pk")
    )
    context: dict[str, Any] = {
        "item": item,
        "detail": detail,
        "state": machine.states.get(item.state),
        "machine_states": _path(machine),
        "transitions": transitions,
        "uncovered": uncovered,
        "has_conflicts": detail.conflict_status == ConflictStatus.CONFLICTS,
        "panels": panels.render(item, detail, user),
        "entries": timeline(item, user),
        "attachments": list(attachments),
        "watchers": watchers,
        "watching": any(w.pk == user.pk for w in watchers),
        "editable": editable,
        "comment_form": overrides.get("comment") or CommentForm(),
        "attachment_form": AttachmentForm(),
        "max_upload": settings.ATTACHMENT_MAX_BYTES,
        "open_dialog": overrides.get("open_dialog", ""),
        "conflict": overrides.get("conflict"),
        "impact_card": worklinks.card(item, user),
        "links_card": workitem_views.links_card(
            item, user, action=reverse("changes-links", args=[item.number])
        ),
        "tasks": task_rows,
        "task_states": S.CHANGE_TASK.states,
        "task_form": overrides.get("task") or TaskForm(user=user, auto_id="task-%s"),
        "can_add_task": editable and item.state not in S.DONE_STATES,
    }
    return context


@login_required
@require_GET
def change_detail(request: HttpRequest, number: str) -> HttpResponse:
    item = change_or_404(request, number)
    return render(request, "changes/detail.html", _detail_context(request, item))


def _rerender(request: HttpRequest, item: WorkItem, **overrides: Any) -> HttpResponse:
    return render(request, "changes/detail.html", _detail_context(request, item, **overrides))


@login_required
def change_edit(request: HttpRequest, number: str) -> HttpResponse:
    """The edit page: what approvers approved is read-only, with the reason, while they decide."""
    user = _require_agent(request)
    item = change_or_404(request, number)
    detail = ChangeDetail.objects.get(work_item_id=item.pk)
    if not (item.active or user.is_admin):
        messages.error(request, _("Closed changes are read-only."))
        return redirect("changes-detail", number=item.number)
    form = ChangeForm(
        request.POST if request.method == "POST" else None,
        user=user,
        item=item,
        detail=detail,
        auto_id="edit-%s",
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_change(
                actor=user,
                item=item,
                expected_version=form.cleaned_data.get("version"),
                **form.action_values(),
            )
        except StaleVersion as exc:
            item.refresh_from_db()
            detail.refresh_from_db()
            data = request.POST.copy()
            data["version"] = str(exc.current)
            form = ChangeForm(data, user=user, item=item, detail=detail, auto_id="edit-%s")
            form.is_valid()
            conflict = _conflict_message(exc)
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("changes-detail", number=item.number)
    context = {
        "item": item,
        "detail": detail,
        "form": form,
        "conflict": conflict,
        "callers": caller_choices(user),
    }
    return render(request, "changes/edit.html", context)


@login_required
@require_POST
def change_transition(request: HttpRequest, number: str) -> HttpResponse:
    """Make one move the type's machine offers, with the fields it requires."""
    from serval.changes.api.core import transitions_for, uncovered_counts

    user = _user(request)
    item = change_or_404(request, number)
    detail = ChangeDetail.objects.get(work_item_id=item.pk)
    target = request.POST.get("to", "")
    uncovered = uncovered_counts([detail])[detail.pk]
    offered = {t["to"]: t for t in transitions_for(item, detail, user, uncovered=uncovered)}
    if target not in offered:
        machine = S.machine_for(detail.change_type)
        allowed = ", ".join(t.label for t in machine.available(item, user)) or _("none")
        messages.error(
            request,
            _("That step is not possible from here. Possible now: %(allowed)s.")
            % {"allowed": allowed},
        )
        return redirect("changes-detail", number=item.number)
    form = ChangeTransitionForm(
        request.POST, requires=tuple(offered[target]["requires"]), auto_id=f"t-{target}-%s"
    )
    dialog = f"dlg-transition-{target}"
    if form.is_valid():
        try:
            actions.transition_change(
                actor=user,
                item=item,
                to=target,
                expected_version=form.cleaned_data["version"],
                **form.action_fields(),
            )
        except StaleVersion as exc:
            return _rerender(request, item, conflict=_conflict_message(exc))
        except ValidationFailed as exc:
            if "conflict_override_reason" in exc.as_dict() and (
                "conflict_override_reason" not in form.fields
            ):
                # Conflicts found on the way: offer the override field now.
                form = ChangeTransitionForm(
                    request.POST,
                    requires=(*offered[target]["requires"], "conflict_override_reason"),
                    auto_id=f"t-{target}-%s",
                )
                form.is_valid()
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            item.refresh_from_db()
            label = S.machine_for(detail.change_type).states[item.state].label
            messages.success(
                request,
                _("%(number)s is now %(state)s.")
                % {"number": item.number, "state": str(label).lower()},
            )
            return redirect("changes-detail", number=item.number)
    return _rerender(request, item, **{f"transition:{target}": form}, open_dialog=dialog)


@login_required
@require_POST
def change_comment(request: HtmxHttpRequest, number: str) -> HttpResponse:
    """Add a comment or work note; htmx swaps in the new timeline, plain POST redirects."""
    user = _user(request)
    item = change_or_404(request, number)
    form = CommentForm(request.POST)
    if form.is_valid():
        internal = bool(form.cleaned_data["internal"]) and user.is_agent
        try:
            actions.comment_on_change(
                actor=user, item=item, body=form.cleaned_data["body"], internal=internal
            )
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            item.refresh_from_db()
            if request.htmx:
                response = render(
                    request, "changes/detail.html#timeline", _detail_context(request, item)
                )
                response["Serval-Version"] = str(item.version)
                return response
            messages.success(request, _("Your note was added."))
            return redirect(reverse("changes-detail", args=[item.number]) + "#timeline")
    return _rerender(request, item, comment=form)


@login_required
@require_POST
def change_attach(request: HttpRequest, number: str) -> HttpResponse:
    item = change_or_404(request, number)
    back = redirect(reverse("changes-detail", args=[item.number]) + "#attachments")
    return workitem_views.attach(request, item, back)


@login_required
@require_POST
def change_watch(request: HttpRequest, number: str) -> HttpResponse:
    item = change_or_404(request, number)
    return workitem_views.watch(request, item, redirect("changes-detail", number=item.number))


@login_required
@require_POST
def change_impact(request: HttpRequest, number: str) -> HttpResponse:
    """Link or unlink an affected CI or service (risk and conflicts follow)."""
    item = change_or_404(request, number)
    back = redirect(reverse("changes-detail", args=[item.number]) + "#impact")
    return workitem_views.impact_links(request, item, back)


@login_required
@require_GET
def change_impact_options(request: HttpRequest, number: str) -> HttpResponse:
    """Suggestions for the impact card's link forms, as the agent types (htmx)."""
    return workitem_views.impact_options(request, change_or_404(request, number))


@login_required
@require_POST
def change_links(request: HttpRequest, number: str) -> HttpResponse:
    """Add or remove a typed link (an incident this change caused …)."""
    item = change_or_404(request, number)
    back = redirect(reverse("changes-detail", args=[item.number]) + "#links")
    return workitem_views.links_post(request, item, back)


@login_required
@require_POST
def change_add_task(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    item = change_or_404(request, number)
    form = TaskForm(request.POST, user=user, auto_id="task-%s")
    if form.is_valid():
        try:
            task = tasks.create_task(actor=user, change=item, **form.action_values())
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(number)s was added.") % {"number": task.number})
            return redirect(reverse("changes-detail", args=[item.number]) + "#tasks")
    return _rerender(request, item, task=form)


# --- change tasks -----------------------------------------------------------------------------


def _task_context(request: HttpRequest, task: WorkItem, **overrides: Any) -> dict[str, Any]:
    user = _user(request)
    task = WorkItem.objects.select_related(
        "assignment_group", "assignee", "parent", "opened_by"
    ).get(pk=task.pk)
    transitions = []
    for t in S.CHANGE_TASK.available(task, user):
        form = overrides.get(f"transition:{t.target}") or TaskTransitionForm(
            requires=t.requires,
            initial={"to": t.target, "version": task.version},
            auto_id=f"t-{t.target}-%s",
        )
        transitions.append({"t": t, "form": form, "dialog": f"dlg-task-{t.target}"})
    editable = user.is_agent and task.state in S.TASK_OPEN_STATES
    return {
        "task": task,
        "item": task,
        "change": task.parent,
        "state": S.CHANGE_TASK.states.get(task.state),
        "transitions": transitions,
        "entries": timeline(task, user),
        "editable": editable,
        "form": overrides.get("edit") or TaskForm(user=user, task=task, auto_id="edit-%s"),
        "comment_form": overrides.get("comment") or CommentForm(),
        "open_dialog": overrides.get("open_dialog", ""),
        "conflict": overrides.get("conflict"),
    }


def _task_or_404(request: HttpRequest, number: str) -> WorkItem:
    _require_agent(request)
    return change_or_404(request, number, kind=Kind.CHANGE_TASK)


@login_required
@require_GET
def task_detail(request: HttpRequest, number: str) -> HttpResponse:
    task = _task_or_404(request, number)
    return render(request, "changes/task_detail.html", _task_context(request, task))


@login_required
@require_POST
def task_edit(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    task = _task_or_404(request, number)
    form = TaskForm(request.POST, user=user, task=task, auto_id="edit-%s")
    if form.is_valid():
        try:
            tasks.update_task(
                actor=user,
                task=task,
                expected_version=form.cleaned_data.get("version"),
                **form.action_values(),
            )
        except StaleVersion as exc:
            return render(
                request,
                "changes/task_detail.html",
                _task_context(request, task, conflict=_conflict_message(exc)),
            )
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("changes-task-detail", number=task.number)
    return render(request, "changes/task_detail.html", _task_context(request, task, edit=form))


@login_required
@require_POST
def task_transition(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    task = _task_or_404(request, number)
    target = request.POST.get("to", "")
    transition = next((t for t in S.CHANGE_TASK.available(task, user) if t.target == target), None)
    if transition is None:
        messages.error(request, _("That step is not possible from here."))
        return redirect("changes-task-detail", number=task.number)
    form = TaskTransitionForm(request.POST, requires=transition.requires, auto_id=f"t-{target}-%s")
    if form.is_valid():
        try:
            tasks.transition_task(
                actor=user,
                task=task,
                to=target,
                expected_version=form.cleaned_data["version"],
                **form.action_fields(),
            )
        except StaleVersion as exc:
            return render(
                request,
                "changes/task_detail.html",
                _task_context(request, task, conflict=_conflict_message(exc)),
            )
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            task.refresh_from_db()
            messages.success(
                request,
                _("%(number)s is now %(state)s.")
                % {
                    "number": task.number,
                    "state": str(S.CHANGE_TASK.states[task.state].label).lower(),
                },
            )
            if request.POST.get("back") == "change" and task.parent is not None:
                return redirect(reverse("changes-detail", args=[task.parent.number]) + "#tasks")
            return redirect("changes-task-detail", number=task.number)
    context = _task_context(
        request, task, **{f"transition:{target}": form}, open_dialog=f"dlg-task-{target}"
    )
    return render(request, "changes/task_detail.html", context)


@login_required
@require_POST
def task_comment(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    task = _task_or_404(request, number)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            tasks.comment_on_task(
                actor=user,
                task=task,
                body=form.cleaned_data["body"],
                internal=bool(form.cleaned_data["internal"]),
            )
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your note was added."))
            return redirect(reverse("changes-task-detail", args=[task.number]) + "#timeline")
    return render(request, "changes/task_detail.html", _task_context(request, task, comment=form))


urlpatterns: list[URLPattern] = [
    path("changes/", change_list, name="changes-list"),
    path("changes/new", change_create, name="changes-create"),
    path("changes/export.csv", change_export, name="changes-export"),
    *template_views.urlpatterns,
    path("changes/<str:number>/", change_detail, name="changes-detail"),
    path("changes/<str:number>/edit", change_edit, name="changes-edit"),
    path("changes/<str:number>/transition", change_transition, name="changes-transition"),
    path("changes/<str:number>/comment", change_comment, name="changes-comment"),
    path("changes/<str:number>/attach", change_attach, name="changes-attach"),
    path("changes/<str:number>/watch", change_watch, name="changes-watch"),
    path("changes/<str:number>/impact", change_impact, name="changes-impact"),
    path(
        "changes/<str:number>/impact/options",
        change_impact_options,
        name="changes-impact-options",
    ),
    path("changes/<str:number>/links", change_links, name="changes-links"),
    path("changes/<str:number>/tasks", change_add_task, name="changes-add-task"),
    path("change-tasks/<str:number>/", task_detail, name="changes-task-detail"),
    path("change-tasks/<str:number>/edit", task_edit, name="changes-task-edit"),
    path("change-tasks/<str:number>/transition", task_transition, name="changes-task-transition"),
    path("change-tasks/<str:number>/comment", task_comment, name="changes-task-comment"),
]
