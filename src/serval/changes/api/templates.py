"""Changes API: standard-change templates at /api/v1/changes/templates (DOMAIN.md §2.3).

Agents read and draft templates; change managers approve (pre-authorize) and retire them. The
paths are literal, so this router is mounted before the core router's `/{number}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from serval.api import workitems
from serval.api.auth import actor
from serval.api.concurrency import etag, expected_version
from serval.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page
from serval.api.schemas import Id, In, TeamRef, UserRef, problems
from serval.changes import standard
from serval.changes.models import ChangeTemplate
from serval.core.errors import ValidationFailed
from serval.core.models import Tenant
from serval.core.tenancy import reach

router = Router(tags=["change templates"])

Level = Annotated[int, Field(ge=1, le=3)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]


class TemplateTaskSpec(In):
    title: str = Field(..., min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)
    assignment_group: Id | None = None


class TemplateTaskOut(Schema):
    title: str
    description: str
    assignment_group: int | None


class TemplateOut(Schema):
    id: int
    tenant: str
    name: str
    description: str
    category: str
    title: str
    justification: str
    implementation_plan: str
    backout_plan: str
    test_plan: str
    impact: int
    urgency: int
    assignment_group: TeamRef | None
    tasks: list[TemplateTaskOut]
    active: bool
    shared: bool
    approved: bool = Field(..., description="Pre-authorized by a change manager.")
    usable: bool = Field(..., description="Active and approved: it makes standard changes.")
    approved_by: UserRef | None
    approved_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class TemplatePage(Schema):
    items: list[TemplateOut]
    next: str | None


class _TemplateFields(In):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20000)
    category: str | None = Field(None, max_length=100)
    title: str | None = Field(None, max_length=200)
    justification: str | None = Field(None, max_length=20000)
    implementation_plan: str | None = Field(None, max_length=20000)
    backout_plan: str | None = Field(None, max_length=20000)
    test_plan: str | None = Field(None, max_length=20000)
    impact: Level | None = None
    urgency: Level | None = None
    assignment_group: Id | None = None
    tasks: list[TemplateTaskSpec] | None = Field(None, max_length=standard.MAX_TASKS)
    shared: bool | None = None


class TemplateCreate(_TemplateFields):
    name: str = Field(..., min_length=1, max_length=200)
    title: str = Field(..., min_length=1, max_length=200)
    implementation_plan: str = Field(..., min_length=1, max_length=20000)
    backout_plan: str = Field(..., min_length=1, max_length=20000)
    tenant: str | None = Field(None, max_length=64, description="Tenant slug; default: yours.")


class TemplateUpdate(_TemplateFields):
    pass


class TemplateFilters(Schema):
    usable: bool | None = Field(None, description="Only templates that make changes now.")
    active: bool | None = None
    q: str | None = Field(None, max_length=200, description="Part of the name.")
    limit: Limit = DEFAULT_LIMIT
    cursor: str | None = Field(None, max_length=1000)


def template_out(t: ChangeTemplate) -> dict[str, Any]:
    return {
        "id": t.pk,
        "tenant": t.tenant.slug,
        "name": t.name,
        "description": t.description,
        "category": t.category,
        "title": t.title,
        "justification": t.justification,
        "implementation_plan": t.implementation_plan,
        "backout_plan": t.backout_plan,
        "test_plan": t.test_plan,
        "impact": t.impact,
        "urgency": t.urgency,
        "assignment_group": None
        if t.assignment_group is None
        else {"id": t.assignment_group.pk, "name": t.assignment_group.name},
        "tasks": [
            {
                "title": spec.get("title", ""),
                "description": spec.get("description", "") or "",
                "assignment_group": spec.get("assignment_group"),
            }
            for spec in (t.tasks or [])
        ],
        "active": t.active,
        "shared": t.shared,
        "approved": t.approved_at is not None,
        "usable": t.usable,
        "approved_by": workitems.user_ref(t.approved_by),
        "approved_at": t.approved_at,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
        "version": t.version,
    }


def _get(request: HttpRequest, id: int) -> ChangeTemplate:
    return standard.access_template(actor(request), id)


def _respond(response: HttpResponse, template: ChangeTemplate) -> dict[str, Any]:
    fresh = ChangeTemplate.objects.select_related("tenant", "assignment_group", "approved_by").get(
        pk=template.pk
    )
    response["ETag"] = etag(fresh.pk, fresh.version)
    return template_out(fresh)


def _payload(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("tasks") is not None:
        data["tasks"] = [{k: v for k, v in spec.items() if v is not None} for spec in data["tasks"]]
    return data


@router.get("/templates", response={200: TemplatePage, **problems()})
def list_templates(request: HttpRequest, filters: Query[TemplateFilters]) -> dict[str, Any]:
    """Standard-change templates the caller may use or manage (agents), by name."""
    qs = standard.templates_visible_to(actor(request))
    if filters.usable is not None:
        usable = {"active": True, "approved_at__isnull": False}
        qs = qs.filter(**usable) if filters.usable else qs.exclude(**usable)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    if filters.q:
        qs = qs.filter(name__icontains=workitems.clean_param(filters.q, field="q") or "")
    rows, next_link = page(
        request,
        qs,
        ordering="name",
        limit=filters.limit,
        cursor=workitems.clean_param(filters.cursor, field="cursor"),
    )
    return {"items": [template_out(t) for t in rows], "next": next_link}


@router.post("/templates", response={201: TemplateOut, **problems(403, 404)})
def create_template(
    request: HttpRequest, payload: TemplateCreate, response: HttpResponse
) -> Status[dict[str, Any]]:
    """Draft a template (agents); it makes changes once a change manager approves it."""
    user = actor(request)
    data = _payload(payload.model_dump(exclude_unset=True))
    tenant = None
    slug = data.pop("tenant", None)
    if slug is not None:
        tenant = Tenant.objects.filter(pk__in=reach(user), slug=slug).first()
        if tenant is None:
            raise ValidationFailed({"tenant": _("Unknown tenant.")})
    template = standard.create_template(actor=user, tenant=tenant, **data)
    body = _respond(response, template)
    response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{template.pk}")
    return Status(201, body)


@router.get("/templates/{id}", response={200: TemplateOut, **problems(404)})
def get_template(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    """One template, with an ETag for If-Match."""
    template = _get(request, id)
    response["ETag"] = etag(template.pk, template.version)
    return template_out(template)


@router.patch("/templates/{id}", response={200: TemplateOut, **problems(403, 404, 412)})
def update_template(
    request: HttpRequest, id: Id, payload: TemplateUpdate, response: HttpResponse
) -> dict[str, Any]:
    """Edit a template; changing its plans, tasks, impact or urgency withdraws the approval."""
    template = _get(request, id)
    version = expected_version(request, pk=template.pk, current=template.version)
    template = standard.update_template(
        actor=actor(request),
        template=template,
        expected_version=version,
        **_payload(payload.model_dump(exclude_unset=True)),
    )
    return _respond(response, template)


@router.post("/templates/{id}/approve", response={200: TemplateOut, **problems(403, 404, 412)})
def approve_template(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    """Pre-authorize the template (change managers): its changes skip authorization."""
    template = _get(request, id)
    version = expected_version(request, pk=template.pk, current=template.version)
    template = standard.approve_template(
        actor=actor(request), template=template, expected_version=version
    )
    return _respond(response, template)


@router.post("/templates/{id}/retire", response={200: TemplateOut, **problems(403, 404, 412)})
def retire_template(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    """Retire the template (change managers): no new change can start from it."""
    template = _get(request, id)
    version = expected_version(request, pk=template.pk, current=template.version)
    template = standard.retire_template(
        actor=actor(request), template=template, active=False, expected_version=version
    )
    return _respond(response, template)


@router.post("/templates/{id}/reactivate", response={200: TemplateOut, **problems(403, 404, 412)})
def reactivate_template(request: HttpRequest, id: Id, response: HttpResponse) -> dict[str, Any]:
    """Bring a retired template back (change managers)."""
    template = _get(request, id)
    version = expected_version(request, pk=template.pk, current=template.version)
    template = standard.retire_template(
        actor=actor(request), template=template, active=True, expected_version=version
    )
    return _respond(response, template)
