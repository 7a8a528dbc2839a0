from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "serval.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from serval.core import lookups  # noqa: F401  (registers `field__any`)
