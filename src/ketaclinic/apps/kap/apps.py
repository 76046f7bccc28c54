from django.apps import AppConfig


class KapConfig(AppConfig):
    name = "ketaclinic.apps.kap"
    label = "kap"
    verbose_name = "Ketamine-assisted psychotherapy"
