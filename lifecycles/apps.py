from django.apps import AppConfig


class LifecyclesConfig(AppConfig):
    name = "lifecycles"
