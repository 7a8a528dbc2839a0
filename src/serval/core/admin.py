"""Django admin for core records, and the building blocks every app's admin.py uses.

The admin is an inspection window for operators with the admin role: records written by actions
(work items, the journal, tokens…) are read-only here, because every write goes through an
action (DESIGN.md §2 rule 1) and Serval's own screens call those actions. What the admin may
change — tenants and tenant grants, which have no screen yet — it journals in the same
transaction (the admin wraps each save in one). Every list is limited to the tenants the admin
works in; install-wide tables (sequences, schedules, the task queue) only show to admins of the
root tenant.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from serval.core import journal
from serval.core.models import JournalEvent, ScheduledRun, Sequence, Tenant
from serval.core.tenancy import reach


def is_root_admin(request: HttpRequest) -> bool:
    """An admin of the install's first tenant (made by the migrations): the operator."""
    user = request.user
    if not getattr(user, "is_admin", False):
        return False
    root = Tenant.objects.filter(parent__isnull=True).order_by("pk").values_list("pk", flat=True)
    return bool(user.tenant_id == root.first())  # type: ignore[union-attr]


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only: no add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TenantScopedAdmin(admin.ModelAdmin):
    """Lists and opens only rows of tenants in the admin's reach (404 for the rest)."""

    tenant_lookup = "tenant_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        return qs.filter(**{f"{self.tenant_lookup}__in": reach(request.user)})  # type: ignore[arg-type]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Tenant:
            kwargs["queryset"] = Tenant.objects.filter(pk__in=reach(request.user))  # type: ignore[arg-type]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InstallWideAdmin(ReadOnlyAdmin):
    """Tables that belong to no tenant: shown to root-tenant admins only."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_root_admin(request) and super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_root_admin(request) and super().has_module_permission(request)


def journal_admin_change(
    request: HttpRequest,
    *,
    tenant_id: int,
    subject_type: str,
    subject_id: int,
    verb: str,
    data: dict[str, Any],
) -> None:
    """Record an edit made in the admin, inside the admin's own transaction."""
    journal.append(
        tenant=tenant_id,
        subject_type=subject_type,
        subject_id=subject_id,
        verb=verb,
        actor=request.user,
        data={**data, "via": "admin"},
    )


def changed_values(form: Any) -> dict[str, list[Any]]:
    return {
        name: [str(form.initial.get(name, "")), str(form.cleaned_data.get(name, ""))]
        for name in form.changed_data
    }


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent", "path", "created_at")
    search_fields = ("name", "slug")
    readonly_fields = ("path", "created_at")
    fields = ("name", "slug", "parent", "path", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tenant]:
        return super().get_queryset(request).filter(pk__in=reach(request.user))  # type: ignore[arg-type]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "parent":
            kwargs["queryset"] = Tenant.objects.filter(pk__in=reach(request.user))  # type: ignore[arg-type]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Moving a tenant would need its subtree's paths rewritten; not done from here.
        return (*self.readonly_fields, "parent") if obj is not None else self.readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_root_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Tenant, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        journal_admin_change(
            request,
            tenant_id=obj.pk,
            subject_type="tenant",
            subject_id=obj.pk,
            verb="updated" if change else "created",
            data={"changes": changed_values(form)},
        )


@admin.register(JournalEvent)
class JournalEventAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = ("created_at", "subject_type", "subject_id", "seq", "verb", "actor", "internal")
    list_filter = ("subject_type", "verb", "internal")
    search_fields = ("=subject_id", "verb")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)


@admin.register(Sequence)
class SequenceAdmin(InstallWideAdmin):
    list_display = ("name", "value")


@admin.register(ScheduledRun)
class ScheduledRunAdmin(InstallWideAdmin):
    list_display = ("job", "due_at", "enqueued_at", "task_id")
    list_filter = ("job",)


# The task queue holds arguments of every tenant's jobs: root admins only.
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_root_admin(request) and super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_root_admin(request) and super().has_module_permission(request)
