from django.urls import path

from serval.web import views

urlpatterns = [
    path("", views.home, name="my-work"),
]
