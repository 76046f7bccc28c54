from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ketaclinic.apps.demo"
    label = "demo"
    verbose_name = "Demo data"
