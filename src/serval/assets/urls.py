"""Routes of the asset pages, included from `serval.urls`."""

from django.urls import path, re_path

from serval.assets import views

FMT = r"(?P<fmt>csv|xlsx)"

urlpatterns = [
    path("assets/", views.asset_list, name="assets-list"),
    re_path(rf"^assets/export\.{FMT}$", views.asset_export, name="assets-export"),
    path("assets/import", views.asset_import, name="assets-import"),
    path("assets/<int:pk>/", views.asset_detail, name="assets-detail"),
    path("assets/contracts/", views.contracts, name="assets-contracts"),
    path("assets/software/", views.software, name="assets-software"),
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
