from django.apps import AppConfig


class IopConfig(AppConfig):
    name = "ketaclinic.apps.iop"
    label = "iop"
    verbose_name = "Intensive outpatient programs"
