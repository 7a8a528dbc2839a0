"""Routes of the service-level pages, included from `serval.web.urls` under /sla/."""

from django.urls import path

from serval.sla import views

urlpatterns = [
    path("calendars/", views.calendar_list, name="sla-calendars"),
    path("calendars/new", views.calendar_edit, name="sla-calendar-create"),
    path("calendars/<int:pk>/", views.calendar_edit, name="sla-calendar-edit"),
    path("definitions/", views.definition_list, name="sla-definitions"),
    path("definitions/new", views.definition_edit, name="sla-definition-create"),
    path("definitions/preview", views.definition_preview, name="sla-definition-preview"),
    path("definitions/<int:pk>/", views.definition_edit, name="sla-definition-edit"),
    path("report/", views.compliance_report, name="sla-report"),
]
