"""Routes of the service pages, included from `serval.cmdb.urls` under /services/."""

from django.urls import path, re_path

from serval.services import views

urlpatterns = [
    path("", views.portfolio, name="services-portfolio"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.export, name="services-export"),
    path("new", views.edit, name="services-create"),
    path("<int:pk>/", views.detail, name="services-detail"),
    path("<int:pk>/edit", views.edit, name="services-edit"),
]
