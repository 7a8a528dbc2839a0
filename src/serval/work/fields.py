"""Cleaning of the fields every work-item kind shares (the common task base, DOMAIN.md §2).

Actions of each kind call `clean_fields` for the shared fields they accept, so a title, a caller
or an assignment group is checked the same way on an incident, a change or a task: text limits
and NUL (a PostgreSQL error) refused, every reference within the item's reach.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from serval.core.errors import ValidationFailed
from serval.work import actions as work
from serval.work.models import Channel, WorkItem

TEXT_LIMITS = {"title": 200, "service": 200, "configuration_item": 200, "category": 100}
CLOSED_STATES = ("closed", "cancelled")


def display(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return getattr(value, "number", None) or getattr(value, "username", None) or str(value)
    return value


def clean_fields(item: WorkItem, raw: dict[str, Any]) -> dict[str, Any]:
    """Turn raw input into model values, checking every reference is within the item's reach."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    tenant = item.tenant
    for name, value in raw.items():
        try:
            # PostgreSQL refuses NUL in text (a 500 if it got that far); SQLite would keep it.
            if isinstance(value, str) and "\x00" in value:
                raise ValidationFailed({name: "Must not contain NUL characters."})
            if name in ("title",):
                text = (value or "").strip() if isinstance(value, str) else ""
                if not text:
                    raise ValidationFailed({name: "This field is required."})
                if len(text) > TEXT_LIMITS[name]:
                    raise ValidationFailed({name: f"At most {TEXT_LIMITS[name]} characters."})
                out[name] = text
            elif name in ("service", "configuration_item", "category"):
                if not (isinstance(value, str) or value is None):
                    raise ValidationFailed({name: "Must be text."})
                text = (value or "").strip()
                if len(text) > TEXT_LIMITS[name]:
                    raise ValidationFailed({name: f"At most {TEXT_LIMITS[name]} characters."})
                out[name] = text
            elif name == "description":
                if value is not None and not isinstance(value, str):
                    raise ValidationFailed({name: "Must be text."})
                if value and len(value) > 20000:
                    raise ValidationFailed({name: "At most 20000 characters."})
                out[name] = value or ""
            elif name in ("impact", "urgency"):
                if isinstance(value, bool) or value not in (1, 2, 3, "1", "2", "3"):
                    raise ValidationFailed({name: "Must be 1 (high), 2 (medium) or 3 (low)."})
                out[name] = int(value)
            elif name == "channel":
                if value not in Channel.values:
                    raise ValidationFailed({name: f"One of {', '.join(Channel.values)}."})
                out[name] = value
            elif name == "caller":
                if value in (None, ""):
                    raise ValidationFailed({name: "This field is required."})
                out[name] = work.resolve_user(value, field=name, item_tenant_id=tenant.pk)
            elif name == "assignment_group":
                out[name] = (
                    None
                    if value in (None, "")
                    else work.resolve_team(value, field=name, item_tenant=tenant)
                )
            elif name == "assignee":
                if value in (None, ""):
                    out[name] = None
                else:
                    user = work.resolve_user(value, field=name, item_tenant_id=tenant.pk)
                    if not user.is_agent:
                        raise ValidationFailed({name: "Only agents can be assigned."})
                    out[name] = user
            elif name == "parent":
                out[name] = None if value in (None, "") else clean_parent(item, value)
            elif name == "due_date":
                if value in (None, ""):
                    out[name] = None
                elif isinstance(value, datetime):
                    out[name] = value if timezone.is_aware(value) else timezone.make_aware(value)
                else:
                    raise ValidationFailed({name: "Must be a date and time."})
            else:
                raise ValidationFailed({name: "Unknown field."})
        except ValidationFailed as exc:
            errors.update(exc.as_dict())
    if errors:
        raise ValidationFailed(errors)
    return out


def _kind_label(item: WorkItem) -> str:
    return str(item.get_kind_display()).lower()


def clean_parent(item: WorkItem, value: Any) -> WorkItem:
    qs = WorkItem.objects.filter(kind=item.kind, tenant_id=item.tenant_id)
    parent = (
        qs.filter(pk=value).first()
        if isinstance(value, int)
        else qs.filter(number=str(value).upper()).first()
    )
    if parent is None:
        raise ValidationFailed({"parent": f"Unknown {_kind_label(item)}."})
    if item.pk and parent.pk == item.pk:
        raise ValidationFailed({"parent": f"This {_kind_label(item)} cannot be its own parent."})
    seen: set[int] = set()
    cursor: WorkItem | None = parent
    while cursor is not None and cursor.pk not in seen:
        if item.pk and cursor.pk == item.pk:
            raise ValidationFailed({"parent": "That would make a loop of parents."})
        seen.add(cursor.pk)
        cursor = cursor.parent
    if parent.state in CLOSED_STATES:
        raise ValidationFailed({"parent": f"The parent {_kind_label(item)} is already closed."})
    return parent


def check_assignment(values: dict[str, Any], item: WorkItem) -> None:
    group = values.get("assignment_group", item.assignment_group)
    assignee = values.get("assignee", item.assignee)
    if assignee is not None:
        if group is None:
            raise ValidationFailed({"assignee": "Choose an assignment group first."})
        if not group.members.filter(pk=assignee.pk).exists():
            raise ValidationFailed({"assignee": "The assignee must be a member of the group."})
