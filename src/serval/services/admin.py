"""Django admin for services: read-only; writes go through the API, pages and actions."""

from __future__ import annotations

from django.contrib import admin

from serval.core.admin import ReadOnlyAdmin, TenantScopedAdmin
from serval.services.models import Service


@admin.register(Service)
class ServiceAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("name", "tenant", "kind", "status", "criticality", "owner", "support_team")
    list_filter = ("kind", "status", "criticality")
    list_select_related = ("tenant", "owner", "support_team")
    search_fields = ("name",)
