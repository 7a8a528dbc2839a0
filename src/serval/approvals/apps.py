from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "serval.approvals"
    label = "approvals"
    verbose_name = "Approvals"
