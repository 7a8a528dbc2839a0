"""Routes of the CMDB and service pages, included from `serval.urls`."""

from django.urls import include, path

from serval.cmdb import views

urlpatterns = [
    path("cmdb/cis/", views.ci_list, name="cmdb-ci-list"),
    path("cmdb/cis/import", views.ci_import, name="cmdb-ci-import"),
    path("cmdb/cis/<int:pk>/", views.ci_detail, name="cmdb-ci-detail"),
    path("services/", include("serval.services.urls")),
]
