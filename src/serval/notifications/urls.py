from django.urls import path

from serval.notifications import views

urlpatterns = [
    path("accounts/notifications/", views.preferences, name="notification-preferences"),
]
