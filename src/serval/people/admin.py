"""Django admin for people: an inspection window; accounts and teams change in Serval's screens.

Users, teams and organizations are written by the people actions (which validate, check tenant
reach and journal); here they are read-only. Tenant grants, which have no screen yet, can be
added and removed by root-tenant admins, journaled on the user.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from serval.core.admin import (
    ReadOnlyAdmin,
    TenantScopedAdmin,
    is_root_admin,
    journal_admin_change,
)
from serval.people.models import ApiToken, LoginFailure, Organization, Team, TenantGrant, User


class TenantGrantInline(admin.TabularInline):
    model = TenantGrant
    fk_name = "user"
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "role",
        "tenant",
        "organization",
        "manager",
        "is_active",
    )
    list_filter = ("role", "is_active", "tenant")
    search_fields = ("username", "first_name", "last_name", "email")
    list_select_related = ("tenant", "organization", "manager")
    exclude = ("password", "user_permissions", "groups")
    inlines = [TenantGrantInline]


@admin.register(Organization)
class OrganizationAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("name", "kind", "tenant", "shared")
    list_filter = ("kind", "shared", "tenant")
    search_fields = ("name",)


@admin.register(Team)
class TeamAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("name", "tenant", "manager", "email", "shared")
    list_filter = ("shared", "tenant")
    search_fields = ("name", "email")
    list_select_related = ("tenant", "manager")


@admin.register(TenantGrant)
class TenantGrantAdmin(TenantScopedAdmin):
    """Which users work in which other tenants (MSP staff); root-tenant admins manage them."""

    tenant_lookup = "user__tenant_id"
    list_display = ("user", "tenant", "include_descendants")
    list_select_related = ("user", "tenant")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            from serval.core.tenancy import reach

            kwargs["queryset"] = User.objects.filter(tenant_id__in=reach(request.user))  # type: ignore[arg-type]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_root_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_root_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_root_admin(request)

    def save_model(self, request: HttpRequest, obj: TenantGrant, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        journal_admin_change(
            request,
            tenant_id=obj.user.tenant_id,
            subject_type="user",
            subject_id=obj.user_id,
            verb="grant_changed" if change else "grant_added",
            data={"tenant": obj.tenant.slug, "include_descendants": obj.include_descendants},
        )

    def delete_model(self, request: HttpRequest, obj: TenantGrant) -> None:
        journal_admin_change(
            request,
            tenant_id=obj.user.tenant_id,
            subject_type="user",
            subject_id=obj.user_id,
            verb="grant_removed",
            data={"tenant": obj.tenant.slug},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for grant in queryset:
            self.delete_model(request, grant)


@admin.register(ApiToken)
class ApiTokenAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    tenant_lookup = "user__tenant_id"
    list_display = (
        "prefix",
        "name",
        "user",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_select_related = ("user",)
    exclude = ("digest",)


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    """Failed sign-ins carry no tenant; only root-tenant admins see them."""

    list_display = ("at", "username", "address")
    search_fields = ("username", "address")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_root_admin(request) and super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_root_admin(request) and super().has_module_permission(request)
