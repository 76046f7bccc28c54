from django.apps import AppConfig


class PkConfig(AppConfig):
    name = "ketaclinic.apps.pk"
    label = "pk"
    verbose_name = "Pharmacokinetics"
