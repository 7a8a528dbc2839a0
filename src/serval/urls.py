from django.contrib import admin
from django.urls import include, path

from serval.api.urls import api
from serval.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("system/tasks/", include("serval.core.tasks_admin")),
    path("", include("serval.notifications.urls")),
    path("admin/", admin.site.urls),
    path("", include("serval.cmdb.urls")),
    path("", include("serval.assets.urls")),
    path("", include("serval.changes.urls")),
    path("", include("serval.approvals.urls")),
    path("", include("serval.web.urls")),
]
