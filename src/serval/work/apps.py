from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "serval.work"
    label = "work"
