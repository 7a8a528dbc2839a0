"""Standard-change templates: write, approve, retire (DOMAIN.md §2.3 "Standard: low-risk,
pre-authorized, documented procedure (template/model)").

A template is pre-authorized once a change manager (role manager or admin) approves it; only
an active, approved template makes standard changes. Agents may draft and edit templates;
editing what was approved (plans, title, tasks) withdraws the approval, so a changed
procedure is authorized again before it is used. Every write is journaled on the template
(`subject_type` "change_template").
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from serval.changes.models import ChangeTemplate
from serval.changes.states import CHANGE_MANAGERS
from serval.core import journal
from serval.core.errors import NotFound, PermissionDenied, ValidationFailed, check_version
from serval.core.models import Tenant
from serval.core.tenancy import reach
from serval.core.text import optional_text, required_text
from serval.people.models import User
from serval.work.actions import resolve_team

SUBJECT = "change_template"
TEXT_LIMIT = 20000
MAX_TASKS = 50
FIELDS = {
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
    "assignment_group",
    "tasks",
    "shared",
}
# What the change authority approved: editing any of it withdraws the approval.
APPROVED_FIELDS = {
    "title",
    "implementation_plan",
    "backout_plan",
    "test_plan",
    "tasks",
    "impact",
    "urgency",
}
LIMITS = {"name": 200, "title": 200, "category": 100, "description": TEXT_LIMIT}


def templates_visible_to(user: User) -> QuerySet[ChangeTemplate]:
    """Agents see the templates of their tenants and those shared down to them."""
    if not user.is_agent:
        return ChangeTemplate.objects.none()
    tenants = reach(user)
    ancestors: set[int] = set()
    for tenant in Tenant.objects.filter(pk__in=tenants):
        ancestors.update(tenant.ancestor_ids())
    return ChangeTemplate.objects.filter(
        Q(tenant_id__in=tenants) | Q(tenant_id__in=ancestors, shared=True)
    ).select_related("tenant", "assignment_group", "approved_by")


def access_template(user: User, pk: Any) -> ChangeTemplate:
    template = None
    if isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk < 2**63:
        template = templates_visible_to(user).filter(pk=pk).first()
    if template is None:
        raise NotFound(_("No such template."))
    return template


def _require_agent(actor: User) -> None:
    if not actor.is_agent:
        raise PermissionDenied(_("Only agents can work on change templates."))


def _require_manager(actor: User) -> None:
    if actor.role not in CHANGE_MANAGERS:
        raise PermissionDenied(_("Only a change manager can approve or retire templates."))


def _level(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationFailed({field: _("1, 2 or 3.")})
    try:
        level = int(value)
    except ValueError as exc:
        raise ValidationFailed({field: _("1, 2 or 3.")}) from exc
    if level not in (1, 2, 3):
        raise ValidationFailed({field: _("1, 2 or 3.")})
    return level


def _tasks(value: Any, tenant: Tenant) -> list[dict[str, Any]]:
    """[{"title", "description", "assignment_group"}] with teams checked in the tenant."""
    if not isinstance(value, list):
        raise ValidationFailed({"tasks": _("A list of tasks.")})
    if len(value) > MAX_TASKS:
        raise ValidationFailed({"tasks": _("At most %d tasks.") % MAX_TASKS})
    out = []
    for n, spec in enumerate(value, start=1):
        if not isinstance(spec, dict) or set(spec) - {"title", "description", "assignment_group"}:
            raise ValidationFailed(
                {"tasks": _("Task %d: give a title, a description and a team id.") % n}
            )
        try:
            title = required_text(spec.get("title"), field="tasks", limit=200)
            description = optional_text(spec.get("description"), field="tasks", limit=4000)
        except ValidationFailed as exc:
            raise ValidationFailed({"tasks": _("Task %d needs a title.") % n}) from exc
        team = spec.get("assignment_group")
        team_id = None
        if team not in (None, ""):
            try:
                team_id = resolve_team(team, field="tasks", item_tenant=tenant).pk
            except ValidationFailed as exc:
                raise ValidationFailed({"tasks": _("Task %d: unknown team.") % n}) from exc
        out.append({"title": title, "description": description, "assignment_group": team_id})
    return out


def _clean(raw: dict[str, Any], tenant: Tenant, *, creating: bool) -> dict[str, Any]:
    unknown = sorted(set(raw) - FIELDS)
    if unknown:
        raise ValidationFailed({f: _("This field cannot be set here.") for f in unknown})
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    required = ("name", "title", "implementation_plan", "backout_plan")
    if creating:
        for name in required:
            raw.setdefault(name, "")
    for name, value in raw.items():
        try:
            if name in required:
                out[name] = required_text(value, field=name, limit=LIMITS.get(name, TEXT_LIMIT))
            elif name in ("impact", "urgency"):
                out[name] = _level(value, name)
            elif name == "assignment_group":
                out[name] = (
                    None
                    if value in (None, "")
                    else resolve_team(value, field=name, item_tenant=tenant)
                )
            elif name == "tasks":
                out[name] = _tasks(value, tenant)
            elif name == "shared":
                if not isinstance(value, bool):
                    raise ValidationFailed({name: _("true or false.")})
                out[name] = value
            else:
                out[name] = optional_text(value, field=name, limit=LIMITS.get(name, TEXT_LIMIT))
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    return out


def _record(template: ChangeTemplate, verb: str, actor: User, **data: Any) -> None:
    journal.append(
        tenant=template.tenant_id,
        subject_type=SUBJECT,
        subject_id=template.pk,
        verb=verb,
        actor=actor,
        data=data,
    )


def _save(template: ChangeTemplate, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            template.save(**kwargs)
    except IntegrityError as exc:
        raise ValidationFailed({"name": _("A template with this name exists already.")}) from exc


def create_template(*, actor: User, tenant: Tenant | None = None, **raw: Any) -> ChangeTemplate:
    """Draft a standard-change template; it makes changes once a change manager approves it."""
    _require_agent(actor)
    tenant = tenant or actor.tenant
    if tenant.pk not in reach(actor):
        raise NotFound(_("Unknown tenant."))
    values = _clean(raw, tenant, creating=True)
    with transaction.atomic():
        template = ChangeTemplate(tenant=tenant, created_by=actor, **values)
        _save(template, force_insert=True)
        _record(template, "created", actor, name=template.name)
    return template


def update_template(
    *, actor: User, template: ChangeTemplate, expected_version: int | None = None, **raw: Any
) -> ChangeTemplate:
    """Edit a template; changing what was approved withdraws the approval."""
    _require_agent(actor)
    values = _clean(raw, template.tenant, creating=False)
    with transaction.atomic():
        template = ChangeTemplate.objects.select_for_update().get(pk=template.pk)
        check_version(expected_version, template.version)
        changed = {k for k, v in values.items() if getattr(template, k) != v}
        if not changed:
            return template
        for name in changed:
            setattr(template, name, values[name])
        fields = set(changed)
        withdrawn = bool(changed & APPROVED_FIELDS) and template.approved_at is not None
        if withdrawn:
            template.approved_at = template.approved_by = None
            fields |= {"approved_at", "approved_by"}
        template.version += 1
        _save(template, update_fields=sorted({*fields, "version", "updated_at"}))
        _record(template, "updated", actor, fields=sorted(changed), approval_withdrawn=withdrawn)
    return template


def approve_template(
    *, actor: User, template: ChangeTemplate, expected_version: int | None = None
) -> ChangeTemplate:
    """Pre-authorize a template (change managers): its changes skip authorization."""
    _require_manager(actor)
    with transaction.atomic():
        template = ChangeTemplate.objects.select_for_update().get(pk=template.pk)
        check_version(expected_version, template.version)
        if not template.active:
            raise ValidationFailed({"active": _("A retired template cannot be approved.")})
        if template.approved_at is not None:
            return template
        template.approved_by, template.approved_at = actor, timezone.now()
        template.version += 1
        template.save(update_fields=["approved_by", "approved_at", "version", "updated_at"])
        _record(template, "approved", actor)
    return template


def retire_template(
    *,
    actor: User,
    template: ChangeTemplate,
    active: bool = False,
    expected_version: int | None = None,
) -> ChangeTemplate:
    """Retire a template (no new changes from it) or bring it back (change managers)."""
    _require_manager(actor)
    with transaction.atomic():
        template = ChangeTemplate.objects.select_for_update().get(pk=template.pk)
        check_version(expected_version, template.version)
        if template.active == active:
            return template
        template.active = active
        template.version += 1
        template.save(update_fields=["active", "version", "updated_at"])
        _record(template, "reactivated" if active else "retired", actor)
    return template
