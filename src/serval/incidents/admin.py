"""Django admin for incident data: read-only; the matrix is edited in Serval's admin screens."""

from __future__ import annotations

from django.contrib import admin

from serval.core.admin import InstallWideAdmin, ReadOnlyAdmin, TenantScopedAdmin
from serval.incidents.models import IncidentDetail, PriorityRule


@admin.register(PriorityRule)
class PriorityRuleAdmin(InstallWideAdmin):
    list_display = ("impact", "urgency", "priority")


@admin.register(IncidentDetail)
class IncidentDetailAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    tenant_lookup = "work_item__tenant_id"
    list_display = ("work_item", "major_state", "major_proposed_by", "major_manager")
    list_filter = ("major_state",)
    list_select_related = ("work_item", "major_proposed_by", "major_manager")
