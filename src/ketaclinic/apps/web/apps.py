from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ketaclinic.apps.web"
    label = "web"
    verbose_name = "Web shell"
