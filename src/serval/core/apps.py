from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "serval.core"
    label = "core"
    verbose_name = "Core"
