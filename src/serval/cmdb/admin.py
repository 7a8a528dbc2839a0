"""Django admin for the CMDB: read-only windows; every write goes through the actions."""

from __future__ import annotations

from django.contrib import admin

from serval.cmdb.models import CI, CIClass, CIRelationship, RelationshipType, ServiceCI
from serval.core.admin import ReadOnlyAdmin, TenantScopedAdmin


@admin.register(CIClass)
class CIClassAdmin(ReadOnlyAdmin):
    list_display = ("name", "label", "parent", "tenant", "shared")
    list_select_related = ("parent", "tenant")


@admin.register(RelationshipType)
class RelationshipTypeAdmin(ReadOnlyAdmin):
    list_display = ("name", "label", "reverse_label", "is_dependency", "single_parent")


@admin.register(CI)
class CIAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("name", "tenant", "ci_class", "operational_status", "environment", "hostname")
    list_filter = ("operational_status", "environment", "lifecycle_stage")
    list_select_related = ("tenant", "ci_class")
    search_fields = ("name", "hostname", "fqdn", "serial")


@admin.register(CIRelationship)
class CIRelationshipAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("parent", "type", "child", "tenant")
    list_select_related = ("parent", "type", "child", "tenant")


@admin.register(ServiceCI)
class ServiceCIAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("service", "ci", "tenant")
    list_select_related = ("service", "ci", "tenant")
