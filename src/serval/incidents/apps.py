from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "serval.incidents"
    label = "incidents"
