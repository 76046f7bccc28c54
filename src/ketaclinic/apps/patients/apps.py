from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "ketaclinic.apps.patients"
    label = "patients"
    verbose_name = "Patients"
