"""Django admin for IT assets: read-only windows; every write goes through the actions."""

from __future__ import annotations

from django.contrib import admin

from serval.assets.models import (
    Asset,
    Contract,
    Installation,
    Licence,
    SoftwareProduct,
    SoftwareVersion,
)
from serval.core.admin import ReadOnlyAdmin, TenantScopedAdmin


@admin.register(Asset)
class AssetAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("name", "tenant", "kind", "asset_tag", "lifecycle_stage", "lifecycle_status")
    list_filter = ("kind", "lifecycle_stage")
    list_select_related = ("tenant",)
    search_fields = ("name", "asset_tag", "serial")


@admin.register(SoftwareProduct)
class SoftwareProductAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("vendor", "name", "tenant", "shared")
    list_select_related = ("tenant",)
    search_fields = ("vendor", "name")


@admin.register(SoftwareVersion)
class SoftwareVersionAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("product", "version", "end_of_support", "end_of_life", "tenant")
    list_select_related = ("product", "tenant")


@admin.register(Installation)
class InstallationAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("ci", "software_version", "discovered", "tenant")
    list_select_related = ("ci", "software_version__product", "tenant")


@admin.register(Licence)
class LicenceAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("name", "product", "metric", "quantity", "term_end", "tenant")
    list_select_related = ("product", "tenant")


@admin.register(Contract)
class ContractAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("name", "type", "vendor", "end_date", "tenant")
    list_filter = ("type",)
    list_select_related = ("tenant",)
