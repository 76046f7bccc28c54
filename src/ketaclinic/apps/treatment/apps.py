from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "ketaclinic.apps.treatment"
    label = "treatment"
    verbose_name = "Treatment"
