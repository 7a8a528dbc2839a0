from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "serval.changes"
    label = "changes"
    verbose_name = "Change enablement"

    def ready(self) -> None:
        from serval.changes.actions import register_approvals

        register_approvals()
