from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "serval.services"
    label = "services"
    verbose_name = "Services"
