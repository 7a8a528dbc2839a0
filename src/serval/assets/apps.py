from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "serval.assets"
    label = "assets"
    verbose_name = "IT assets"
