from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "steward.people"
    label = "people"
