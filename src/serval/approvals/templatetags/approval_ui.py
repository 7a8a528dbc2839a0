"""Template helpers of the approval pages: badges for states, risks and change types, and the
profile page's delegation section (`{% delegation_section profile_user as d %}`).

Badges are built with `format_html`, which escapes every value."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from serval.approvals.models import ApprovalState, ApproverKind, Mode, StepState
from serval.approvals.summary import STATE_COLOURS, STATE_ICONS

register = template.Library()

RISK_COLOURS = {"low": "green", "moderate": "yellow", "high": "orange", "very_high": "red"}
_STATE_LABELS = {**dict(StepState.choices), **dict(ApprovalState.choices)}


@register.filter
def approval_state(value: str) -> SafeString:
    """A state chip for rounds, steps and approvals alike."""
    return format_html(
        '<span class="badge bg-{}-lt state-badge">'
        '<i class="ti {}" aria-hidden="true"></i> {}</span>',
        STATE_COLOURS.get(value, "secondary"),
        STATE_ICONS.get(value, "ti-circle"),
        _STATE_LABELS.get(value, value),
    )


@register.filter
def risk_badge(value: str | None) -> SafeString:
    from serval.changes.models import Risk

    if not value:
        return format_html("{}", "—")
    return format_html(
        '<span class="badge bg-{}-lt">{}</span>',
        RISK_COLOURS.get(value, "secondary"),
        dict(Risk.choices).get(value, value),
    )


@register.filter
def change_type(value: str | None) -> str:
    from serval.changes.models import ChangeType

    return str(dict(ChangeType.choices).get(value or "", value or "—"))


@register.filter
def approver_kind(value: str) -> str:
    return str(dict(ApproverKind.choices).get(value, value))


@register.filter
def mode_label(value: str) -> str:
    return str(dict(Mode.choices).get(value, value))


@register.filter
def stage_label(value: str) -> str:
    from serval.approvals.summary import STAGE_LABELS

    return str(STAGE_LABELS.get(value, value))


@register.simple_tag
def delegation_section(user: Any) -> dict[str, Any]:
    """The profile's delegations: the ones I gave, the ones given to me (recent first)."""
    from serval.approvals.delegation import is_active
    from serval.approvals.forms import DelegationForm
    from serval.approvals.models import Delegation

    now = timezone.now()
    given = list(
        Delegation.objects.filter(user=user, ends_at__gt=now - timedelta(days=30))
        .select_related("delegate")
        .order_by("-starts_at", "-pk")[:20]
    )
    received = list(
        Delegation.objects.filter(delegate=user, ends_at__gt=now)
        .select_related("user")
        .order_by("starts_at", "pk")[:20]
    )
    start = timezone.localtime(now).replace(second=0, microsecond=0)
    return {
        "given": [{"d": d, "active": is_active(d, now), "open": d.ends_at > now} for d in given],
        "received": [{"d": d, "active": is_active(d, now)} for d in received],
        "form": DelegationForm(
            initial={"starts_at": start, "ends_at": start + timedelta(days=7)},
            auto_id="delegation-%s",
        ),
    }
