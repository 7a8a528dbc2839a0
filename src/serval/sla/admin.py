"""Django admin for service levels: read-only views; writes go through the API and actions."""

from __future__ import annotations

from django.contrib import admin

from serval.core.admin import ReadOnlyAdmin, TenantScopedAdmin
from serval.sla.models import BusinessCalendar, SlaClock, SlaDefinition


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("name", "tenant", "time_zone", "country", "subdivision", "shared")


@admin.register(SlaDefinition)
class SlaDefinitionAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("name", "tenant", "type", "target", "duration_seconds", "calendar", "active")
    list_filter = ("type", "target", "active")


@admin.register(SlaClock)
class SlaClockAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("work_item", "definition", "cycle", "stage", "has_breached", "breach_at")
    list_filter = ("stage", "has_breached")
    list_select_related = ("work_item", "definition")
