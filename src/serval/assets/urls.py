"""Routes of the asset pages, included from `serval.urls`."""

from django.urls import path, re_path

from serval.assets import record_views, software_views, views

FMT = r"(?P<fmt>csv|xlsx)"

urlpatterns = [
    path("assets/", views.asset_list, name="assets-list"),
    re_path(rf"^assets/export\.{FMT}$", views.asset_export, name="assets-export"),
    path("assets/import", views.asset_import, name="assets-import"),
    path("assets/<int:pk>/", views.asset_detail, name="assets-detail"),
    path("assets/new", record_views.asset_edit, name="assets-new"),
    path("assets/<int:pk>/edit", record_views.asset_edit, name="assets-edit"),
    path("assets/<int:pk>/delete", record_views.asset_delete, name="assets-delete"),
    path("assets/statuses", record_views.lifecycle_statuses, name="assets-lifecycle-statuses"),
    path("assets/contracts/new", record_views.contract_edit, name="assets-contracts-new"),
    path(
        "assets/contracts/<int:pk>/edit", record_views.contract_edit, name="assets-contracts-edit"
    ),
    path(
        "assets/contracts/<int:pk>/delete",
        record_views.contract_delete,
        name="assets-contracts-delete",
    ),
    path("assets/contracts/", views.contracts, name="assets-contracts"),
    path("assets/software/", views.software, name="assets-software"),
    # Forms of the software catalogue and licences (serval.assets.software_views).
    path("assets/software/new", software_views.product_edit, name="assets-software-product-new"),
    path(
        "assets/software/<int:pk>/edit",
        software_views.product_edit,
        name="assets-software-product-edit",
    ),
    path(
        "assets/software/<int:pk>/delete",
        software_views.product_delete,
        name="assets-software-product-delete",
    ),
    path(
        "assets/software/<int:product_pk>/versions/new",
        software_views.version_edit,
        name="assets-software-version-new",
    ),
    path(
        "assets/software/versions/<int:pk>/edit",
        software_views.version_edit,
        name="assets-software-version-edit",
    ),
    path(
        "assets/software/versions/<int:pk>/delete",
        software_views.version_delete,
        name="assets-software-version-delete",
    ),
    path("assets/licences/new", software_views.licence_edit, name="assets-licences-new"),
    path("assets/licences/<int:pk>/edit", software_views.licence_edit, name="assets-licences-edit"),
    path(
        "assets/licences/<int:pk>/delete",
        software_views.licence_delete,
        name="assets-licences-delete",
    ),
    path("assets/cis/<int:ci_pk>/software", views.ci_software, name="assets-ci-software"),
    path("assets/licences/", views.licences, name="assets-licences"),
    path("assets/eol/", views.eol_report, name="assets-eol"),
    path("assets/reminders/", views.reminders_page, name="assets-reminders"),
    re_path(rf"^assets/eol\.{FMT}$", views.eol_export, name="assets-eol-export"),
    re_path(
        rf"^assets/contracts/export\.{FMT}$", views.contract_export, name="assets-contracts-export"
    ),
    re_path(
        rf"^assets/software/export\.{FMT}$", views.software_export, name="assets-software-export"
    ),
    re_path(
        rf"^assets/licences/export\.{FMT}$", views.licence_export, name="assets-licences-export"
    ),
]
