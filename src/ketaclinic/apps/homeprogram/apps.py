from django.apps import AppConfig


class HomeProgramConfig(AppConfig):
    name = "ketaclinic.apps.homeprogram"
    label = "homeprogram"
    verbose_name = "Home program"
