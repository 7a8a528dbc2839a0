from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "serval.changes"
    label = "changes"
    verbose_name = "Change enablement"

    def ready(self) -> None:
        from serval.changes.actions import register_approvals
        from serval.changes.conflicts import cis_in_maintenance
        from serval.cmdb import impact

        register_approvals()
        if cis_in_maintenance not in impact.MAINTENANCE_SOURCES:
            impact.MAINTENANCE_SOURCES.append(cis_in_maintenance)
