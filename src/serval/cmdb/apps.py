from django.apps import AppConfig


class CmdbConfig(AppConfig):
    name = "serval.cmdb"
    label = "cmdb"
    verbose_name = "Configuration management"
