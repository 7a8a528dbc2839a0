"""Django admin for work items: read-only, scoped to the admin's tenants.

Work items change only through their practice's actions (state machine, journal, versions),
so the admin shows them and never edits them.
"""

from __future__ import annotations

from django.contrib import admin

from serval.core.admin import ReadOnlyAdmin, TenantScopedAdmin
from serval.work.models import Attachment, WorkItem


@admin.register(WorkItem)
class WorkItemAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = (
        "number",
        "title",
        "kind",
        "state",
        "priority",
        "assignment_group",
        "assignee",
        "tenant",
        "opened_at",
    )
    list_filter = ("kind", "state", "priority", "channel", "tenant")
    search_fields = ("number", "title")
    list_select_related = ("assignment_group", "assignee", "tenant")
    date_hierarchy = "opened_at"
    exclude = ("watchers",)


@admin.register(Attachment)
class AttachmentAdmin(TenantScopedAdmin, ReadOnlyAdmin):
    list_display = (
        "filename",
        "work_item",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
        "internal",
    )
    list_select_related = ("work_item", "uploaded_by")
    search_fields = ("filename", "work_item__number")
