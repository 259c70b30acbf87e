from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "steward.registry"
    label = "registry"
