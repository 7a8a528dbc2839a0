"""Routes of the service pages, included from `serval.cmdb.urls` under /services/."""

from django.urls import path

from serval.services import views

urlpatterns = [
    path("", views.portfolio, name="services-portfolio"),
    path("<int:pk>/", views.detail, name="services-detail"),
]
