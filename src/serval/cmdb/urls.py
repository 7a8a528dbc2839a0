"""Routes of the CMDB and service pages, included from `serval.urls`."""

from django.urls import include, path, re_path

from serval.cmdb import views

urlpatterns = [
    path("cmdb/cis/", views.ci_list, name="cmdb-ci-list"),
    re_path(r"^cmdb/cis/export\.(?P<fmt>csv|xlsx)$", views.ci_export, name="cmdb-ci-export"),
    path("cmdb/cis/import", views.ci_import, name="cmdb-ci-import"),
    path("cmdb/cis/new", views.ci_edit, name="cmdb-ci-new"),
    re_path(
        r"^cmdb/relationships/export\.(?P<fmt>csv|xlsx)$",
        views.relationship_export,
        name="cmdb-relationship-export",
    ),
    path("cmdb/relationships/import", views.relationship_import, name="cmdb-relationship-import"),
    path("cmdb/cis/<int:pk>/", views.ci_detail, name="cmdb-ci-detail"),
    path("cmdb/cis/<int:pk>/status", views.ci_status, name="cmdb-ci-status"),
    path("cmdb/cis/<int:pk>/services", views.ci_service_links, name="cmdb-ci-services"),
    path("cmdb/cis/<int:pk>/edit", views.ci_edit, name="cmdb-ci-edit"),
    path("cmdb/cis/<int:pk>/delete", views.ci_delete, name="cmdb-ci-delete"),
    path(
        "cmdb/cis/<int:pk>/relationships",
        views.ci_relationship_add,
        name="cmdb-ci-relationship-add",
    ),
    path(
        "cmdb/cis/<int:pk>/relationships/options",
        views.ci_relationship_options,
        name="cmdb-ci-relationship-options",
    ),
    path(
        "cmdb/cis/<int:pk>/relationships/<int:rel>/remove",
        views.ci_relationship_remove,
        name="cmdb-ci-relationship-remove",
    ),
    path("services/", include("serval.services.urls")),
]
