"""Standard-change template pages: list, create and edit (with the task list), approve, retire.

Agents read and draft templates; change managers (role manager or admin) approve and retire
them (`serval.changes.standard`). Routes are literal paths under changes/templates/, listed
before the change page's changes/<number>/.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from serval.changes import standard
from serval.changes.forms import (
    TemplateForm,
    TemplateTaskFormSet,
    add_action_errors,
    template_tasks,
)
from serval.changes.models import ChangeTemplate
from serval.changes.states import CHANGE_MANAGERS
from serval.core.errors import NotFound, PermissionDenied, StaleVersion, ValidationFailed
from serval.core.models import JournalEvent
from serval.people.models import User


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise Http404()
    return user


def _template(request: HttpRequest, pk: int) -> ChangeTemplate:
    try:
        return standard.access_template(_agent(request), pk)
    except NotFound as exc:
        raise Http404() from exc


@login_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    user = _agent(request)
    show = request.GET.get("show", "active")
    qs = standard.templates_visible_to(user)
    if show == "active":
        qs = qs.filter(active=True)
    elif show == "retired":
        qs = qs.filter(active=False)
    elif show == "draft":
        qs = qs.filter(active=True, approved_at__isnull=True)
    q = (request.GET.get("q") or "").strip()[:200]
    if q:
        qs = qs.filter(name__icontains=q)
    page = Paginator(qs.order_by("name", "pk"), 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show": show,
        "q": q,
        "is_manager": user.role in CHANGE_MANAGERS,
    }
    return render(request, "changes/templates_list.html", context)


def _formset(request: HttpRequest, user: User, template: ChangeTemplate | None) -> Any:
    initial = [
        {
            "title": spec.get("title", ""),
            "description": spec.get("description", "") or "",
            "assignment_group": str(spec.get("assignment_group") or ""),
        }
        for spec in ((template.tasks if template else None) or [])
    ]
    data = request.POST if request.method == "POST" else None
    return TemplateTaskFormSet(data, initial=initial, prefix="tasks", form_kwargs={"user": user})


def _initial(template: ChangeTemplate) -> dict[str, Any]:
    names = (
        "name",
        "description",
        "category",
        "title",
        "justification",
        "implementation_plan",
        "backout_plan",
        "test_plan",
        "impact",
        "urgency",
        "shared",
        "version",
    )
    values = {n: getattr(template, n) for n in names}
    values["assignment_group"] = str(template.assignment_group_id or "")
    return values


def _form_page(request: HttpRequest, template: ChangeTemplate | None) -> HttpResponse:
    user = _agent(request)
    form = TemplateForm(
        request.POST if request.method == "POST" else None,
        user=user,
        initial=_initial(template) if template else {"impact": 3, "urgency": 3},
    )
    formset = _formset(request, user, template)
    conflict = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        values = {**form.action_values(), "tasks": template_tasks(formset)}
        try:
            if template is None:
                saved = standard.create_template(actor=user, **values)
                messages.success(
                    request,
                    _(
                        "The template was created; a change manager approves "
                        "it before it can be used."
                    ),
                )
            else:
                before = template.approved_at
                saved = standard.update_template(
                    actor=user,
                    template=template,
                    expected_version=form.cleaned_data.get("version"),
                    **values,
                )
                if before and saved.approved_at is None:
                    messages.warning(
                        request,
                        _(
                            "The procedure changed, so its approval was withdrawn: a change "
                            "manager approves it again before it can be used."
                        ),
                    )
                else:
                    messages.success(request, _("Your changes were saved."))
        except StaleVersion:
            conflict = _("Someone else changed this template meanwhile; check it and save again.")
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("changes-template-detail", pk=saved.pk)
    context = {"form": form, "formset": formset, "template": template, "conflict": conflict}
    return render(request, "changes/template_form.html", context)


@login_required
def template_create(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, _template(request, pk))


@login_required
@require_GET
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _agent(request)
    template = _template(request, pk)
    teams = {t.pk: t.name for t in _teams(user)}
    events = (
        JournalEvent.objects.filter(subject_type=standard.SUBJECT, subject_id=template.pk)
        .select_related("actor")
        .order_by("seq")[:200]
    )
    context = {
        "template": template,
        "tasks": [
            {**spec, "team": teams.get(spec.get("assignment_group") or 0)}
            for spec in (template.tasks or [])
        ],
        "events": list(events),
        "is_manager": user.role in CHANGE_MANAGERS,
        "uses": template.changes.count(),
    }
    return render(request, "changes/template_detail.html", context)


def _teams(user: User) -> Any:
    from serval.people.querysets import teams_visible_to

    return teams_visible_to(user).only("pk", "name")


@login_required
@require_POST
def template_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve, retire or reactivate (change managers)."""
    user = _agent(request)
    template = _template(request, pk)
    op = request.POST.get("op")
    version_text = request.POST.get("version", "")
    version = int(version_text) if version_text.isdigit() and len(version_text) < 10 else None
    try:
        if op == "approve":
            standard.approve_template(actor=user, template=template, expected_version=version)
            messages.success(request, _("The template is approved: it makes standard changes."))
        elif op in ("retire", "reactivate"):
            standard.retire_template(
                actor=user, template=template, active=op == "reactivate", expected_version=version
            )
            messages.success(
                request,
                _("The template was retired.") if op == "retire" else _("The template is active."),
            )
        else:
            raise Http404()
    except StaleVersion:
        messages.error(request, _("Someone else changed this template meanwhile; try again."))
    except (ValidationFailed, PermissionDenied) as exc:
        messages.error(request, str(exc.detail))
    return redirect("changes-template-detail", pk=template.pk)


urlpatterns: list[URLPattern] = [
    path("changes/templates/", template_list, name="changes-templates"),
    path("changes/templates/new", template_create, name="changes-template-create"),
    path("changes/templates/<int:pk>/", template_detail, name="changes-template-detail"),
    path("changes/templates/<int:pk>/edit", template_edit, name="changes-template-edit"),
    path("changes/templates/<int:pk>/decide", template_decide, name="changes-template-decide"),
]
