from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "serval.people"
    label = "people"
