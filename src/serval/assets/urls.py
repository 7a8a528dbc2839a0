"""Routes of the asset pages, included from `serval.urls`."""

from django.urls import path

from serval.assets import views

urlpatterns = [
    path("assets/", views.asset_list, name="assets-list"),
    path("assets/export.csv", views.asset_export, name="assets-export"),
    path("assets/import", views.asset_import, name="assets-import"),
    path("assets/<int:pk>/", views.asset_detail, name="assets-detail"),
    path("assets/contracts/", views.contracts, name="assets-contracts"),
    path("assets/software/", views.software, name="assets-software"),
    path("assets/licences/", views.licences, name="assets-licences"),
    path("assets/eol/", views.eol_report, name="assets-eol"),
    path("assets/eol.csv", views.eol_export, name="assets-eol-csv"),
]
