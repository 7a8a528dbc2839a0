from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "serval.api"
    label = "api"
