from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "serval.web"
    label = "web"
