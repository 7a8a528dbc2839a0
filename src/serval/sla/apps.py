from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "serval.sla"
    label = "sla"
    verbose_name = "Service levels"
