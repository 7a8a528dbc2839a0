"""Template helpers of the CMDB pages: the severity an impact reaches a CI or service with."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from serval.cmdb.impact import SEVERITY_BY_NAME

register = template.Library()

SEVERITY_LABELS = {4: _("Critical"), 3: _("Major"), 2: _("Minor"), 1: _("Warning")}
SEVERITY_COLOURS = {4: "red", 3: "orange", 2: "yellow", 1: "azure"}


@register.filter
def severity_badge(value: Any) -> SafeString:
    """A badge for a severity (1–4 or its name); nothing for none (0, a direct link)."""
    level = SEVERITY_BY_NAME.get(value, value) if isinstance(value, str) else value
    if level not in SEVERITY_LABELS:
        return format_html("{}", "")
    return format_html(
        '<span class="badge bg-{}-lt" title="{}">{}</span>',
        SEVERITY_COLOURS[level],
        _("Severity"),
        SEVERITY_LABELS[level],
    )
