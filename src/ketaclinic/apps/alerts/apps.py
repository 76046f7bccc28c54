from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "ketaclinic.apps.alerts"
    label = "alerts"
    verbose_name = "Alerts"
